package target

import "errors"

// Done is what a client returns for a write it counts as done although the
// target did not say so plainly (WORKBOX, which cannot be read back: a
// re-sent DELETE answered with a 4xx of unknown meaning). Note says why;
// the run's report shows it with the item. ClassOf(a Done) is OK.
type Done struct{ Note string }

func (d *Done) Error() string { return "done: " + d.Note }

// NoteOf returns the note of a Done error, "" for any other error or nil.
func NoteOf(err error) string {
	var d *Done
	if errors.As(err, &d) {
		return d.Note
	}
	return ""
}
