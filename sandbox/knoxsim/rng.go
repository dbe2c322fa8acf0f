package knoxsim

// rng is SplitMix64. Each employee gets its own stream derived from (seed,
// index), so generation is deterministic independent of order and a hire
// later on produces the same person a fresh generation would have.
type rng struct{ s uint64 }

func newRNG(seed int64, stream uint64) rng {
	r := rng{s: uint64(seed)*0x9E3779B97F4A7C15 ^ (stream+1)*0xD1B54A32D192ED03}
	r.next()
	return r
}

func (r *rng) next() uint64 {
	r.s += 0x9E3779B97F4A7C15
	z := r.s
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// intn returns a value in [0,n). The modulo bias is irrelevant here.
func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// weighted picks an index with probability proportional to w[i].
func (r *rng) weighted(w []int, total int) int {
	x := r.intn(total)
	for i, v := range w {
		if x < v {
			return i
		}
		x -= v
	}
	return len(w) - 1
}

func sum(w []int) int {
	t := 0
	for _, v := range w {
		t += v
	}
	return t
}
