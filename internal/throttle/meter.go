package throttle

import "time"

// meter is a sliding count of events in 100 ms buckets.
type meter struct {
	buckets [2 * window]int
	at      [2 * window]int64 // which 100 ms tick each bucket holds
}

const tick = 100 * time.Millisecond

func (m *meter) add(t time.Time) {
	n := t.UnixNano() / int64(tick)
	i := n % int64(len(m.buckets))
	if m.at[i] != n {
		m.at[i], m.buckets[i] = n, 0
	}
	m.buckets[i]++
}

// window is how many ticks rate looks back: a second, long enough not to
// take the target's bucket refilling for its rate.
const window = 10

// rate is the events per second over the last window complete ticks.
func (m *meter) rate(t time.Time) float64 {
	n := t.UnixNano() / int64(tick)
	sum := 0
	for i := range m.buckets {
		if age := n - m.at[i]; age >= 1 && age <= window {
			sum += m.buckets[i]
		}
	}
	return float64(sum) / (tick * window).Seconds()
}
