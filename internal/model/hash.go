package model

import (
	"crypto/sha256"
	"encoding/json"
)

// Hash is the content hash that decides whether the target needs a write.
// encoding/json writes struct fields in declaration order and map keys
// sorted, so equal entities always hash equal.
func (e Entity) Hash() []byte {
	b, _ := json.Marshal(e) // cannot fail: strings, ints and a string map
	h := sha256.Sum256(append([]byte(e.Kind+"\x00"), b...))
	return h[:]
}

// DerivedKey makes a stable external key (at most MaxKey characters) from a
// free-text value, for kinds the source has no code for (Knox positions).
func DerivedKey(prefix, value string) string {
	h := sha256.Sum256([]byte(value))
	const hexdigits = "0123456789abcdef"
	n := MaxKey - len(prefix)
	out := make([]byte, 0, MaxKey)
	out = append(out, prefix...)
	for i := 0; len(out) < MaxKey && i < n/2; i++ {
		out = append(out, hexdigits[h[i]>>4], hexdigits[h[i]&15])
	}
	return string(out)
}
