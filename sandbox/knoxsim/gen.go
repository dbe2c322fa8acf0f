package knoxsim

import (
	"slices"
	"sort"
	"strconv"
	"strings"
)

// dataset is one generated company. Company swaps a whole dataset on reset.
type dataset struct {
	code         string // Knox company code, e.g. C60
	name, enName string
	seed         int64
	titles       map[string]*title
	titleKeys    []string // sorted
	orgs         map[string]*org
	orgKeys      []string       // sorted; the stable order of /organizations
	kids         map[string]int // number of child departments by parent code
	emps         map[string]*employee
	byDept       map[string][]*employee // sorted by epId: a page is a slice
	leaves, all  []string               // department codes new hires are drawn from
	nextIdx      int                    // generator index of the next hire
}

// MaxEmployees bounds the generator: the epId embeds the index in 7 digits.
const MaxEmployees = 9_999_999

// MaxDepartments bounds the generator: codes carry two letters and 3 digits.
const MaxDepartments = 26 * 26 * 1000

func generate(companyCode string, nEmp, nDept int, seed int64) *dataset {
	d := &dataset{
		code:   companyCode,
		name:   "삼성SDS",
		enName: "SAMSUNG SDS",
		seed:   seed,
		titles: make(map[string]*title, len(titleDefs)),
		orgs:   make(map[string]*org, nDept),
		emps:   make(map[string]*employee, nEmp),
		byDept: make(map[string][]*employee, nDept),
	}
	for i, t := range titleDefs {
		code := string(pad([]byte("T"), i+1, 2))
		d.titles[code] = &title{code: code, name: t.ko, enName: t.en, sort: strconv.Itoa((len(titleDefs) - i) * 10)}
		d.titleKeys = append(d.titleKeys, code)
	}
	r := newRNG(seed, 1<<62) // a stream no employee index uses
	d.genOrgs(nDept, &r)
	for i := 0; i < nEmp; i++ {
		e := d.genEmployee(i, "")
		d.emps[e.epID] = e
		// Indices ascend, so appending keeps each department sorted by epId.
		d.byDept[e.dept] = append(d.byDept[e.dept], e)
	}
	d.nextIdx = nEmp
	return d
}

// genOrgs builds a tree of depth up to 4: one or a few top departments,
// then roughly 15% / 35% / 50% of the rest on levels 2, 3 and 4.
func (d *dataset) genOrgs(n int, r *rng) {
	if n == 0 {
		return
	}
	tops := min(1+n/2000, len(topDepts), n)
	rest := n - tops
	var l2, l3, l4 int
	if rest > 0 {
		l2 = max(1, rest*15/100)
		l3 = rest * 35 / 100
		if l3 == 0 {
			l2 = rest
		}
		l4 = rest - l2 - l3
	}
	seen := map[string]int{}
	order := map[string]int{}
	idx := 0
	var prev []string
	for level, count := range []int{tops, l2, l3, l4} {
		cur := make([]string, 0, count)
		for i := 0; i < count; i++ {
			o := &org{code: d.code + deptSuffixCode(idx)}
			idx++
			if level == 0 {
				o.name, o.enName = topDepts[i].ko, topDepts[i].en
			} else {
				o.upr = prev[r.intn(len(prev))]
				base := deptBases[r.intn(len(deptBases))]
				sufs := deptSuffix[level-1]
				suf := sufs[r.intn(len(sufs))]
				// Number repeated names (개발팀, 개발2팀) so they stay readable
				// and mostly unique, as real org charts do.
				k := base.ko + suf.ko
				c := seen[k]
				seen[k] = c + 1
				if c == 0 {
					o.name, o.enName = k, base.en+" "+suf.en
				} else {
					num := strconv.Itoa(c + 1)
					o.name, o.enName = base.ko+num+suf.ko, base.en+" "+num+" "+suf.en
				}
			}
			order[o.upr]++
			o.order = order[o.upr]
			d.orgs[o.code] = o
			d.orgKeys = append(d.orgKeys, o.code) // codes ascend with idx
			cur = append(cur, o.code)
		}
		if len(cur) > 0 {
			prev = cur
		}
	}
	d.recountKids()
	d.all = slices.Clone(d.orgKeys) // orgKeys changes later; the draw pool must not
	for _, c := range d.orgKeys {
		if d.kids[c] == 0 {
			d.leaves = append(d.leaves, c)
		}
	}
}

// deptSuffixCode turns an index into two letters and three digits (AA000).
func deptSuffixCode(i int) string {
	b := []byte{byte('A' + i/1000/26%26), byte('A' + i/1000%26)}
	return string(pad(b, i%1000, 3))
}

// genEmployee produces employee number idx. dept, when set, overrides the
// drawn department (a hire into a chosen department).
func (d *dataset) genEmployee(idx int, dept string) *employee {
	r := newRNG(d.seed, uint64(idx))
	var drawn string
	switch {
	case len(d.leaves) > 0 && r.intn(100) < 85:
		drawn = d.leaves[r.intn(len(d.leaves))]
	case len(d.all) > 0:
		drawn = d.all[r.intn(len(d.all))]
	}
	if dept == "" {
		dept = drawn
	}
	t := r.weighted(titleWeights, titleTotal)
	g := gradeFor(t, &r)
	sur := surnames[r.weighted(surnameWeights, surnameTotal)]
	g1, g2 := syllables[r.intn(len(syllables))], syllables[r.intn(len(syllables))]
	e := &employee{
		dept:  d.orgs[dept].code, // share the string with the org record
		title: d.titleKeys[t],
		grade: uint8(g),
		status: func() byte {
			if r.intn(100) < 4 {
				return 'V'
			}
			return 'B'
		}(),
	}
	var b [64]byte
	// epId: 20 characters in the Knox style, D1 + 7-digit index + 4 random
	// digits + company code + 4 random digits; the index makes it unique.
	s := append(b[:0], 'D', '1')
	s = pad(s, idx, 7)
	s = pad(s, r.intn(10000), 4)
	s = append(s, d.code...)
	s = pad(s, r.intn(10000), 4)
	e.epID = string(s)
	e.number = string(pad(b[:0], 1_000_000+idx, 7))
	e.fullName = sur.ko + g1.ko + g2.ko
	given := strings.ToUpper(g1.en[:1]) + g1.en[1:] + g2.en
	e.enFullName = given + " " + sur.en
	s = append(append(append(b[:0], g1.en...), g2.en...), '.')
	s = strconv.AppendInt(append(s, strings.ToLower(sur.en)...), int64(idx), 10)
	e.userID = string(s)
	e.email = e.userID + "@samsung.example"
	s = append(b[:0], "+82-10-"...)
	s = pad(append(pad(s, r.intn(10000), 4), '-'), r.intn(10000), 4)
	e.mobile = string(s)
	if r.intn(10) > 0 {
		e.tel = string(pad(append(b[:0], "+82-2-6155-"...), r.intn(10000), 4))
	}
	return e
}

// gradeFor maps a title (직급) to a plausible 직위, with some leaders.
func gradeFor(t int, r *rng) int {
	switch {
	case t >= 6:
		return gradeExecutive
	case t == 5:
		if r.intn(4) == 0 {
			return gradeGroupLeader
		}
		return gradeMaster
	case t >= 3:
		if r.intn(12) == 0 {
			return gradeTeamLeader
		}
		return gradePrincipal
	case t == 2:
		return gradeSenior
	}
	return gradePro
}

// pad appends n in decimal, zero-padded to width.
func pad(b []byte, n, width int) []byte {
	var tmp [20]byte
	d := strconv.AppendInt(tmp[:0], int64(n), 10)
	for i := len(d); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, d...)
}

func (d *dataset) recountKids() {
	d.kids = make(map[string]int, len(d.orgs))
	for _, o := range d.orgs {
		if o.upr != "" {
			d.kids[o.upr]++
		}
	}
}

// insertSorted inserts s into the sorted slice keys unless present.
func insertSorted(keys []string, s string) []string {
	i := sort.SearchStrings(keys, s)
	if i < len(keys) && keys[i] == s {
		return keys
	}
	keys = append(keys, "")
	copy(keys[i+1:], keys[i:])
	keys[i] = s
	return keys
}

func removeSorted(keys []string, s string) []string {
	i := sort.SearchStrings(keys, s)
	if i < len(keys) && keys[i] == s {
		return append(keys[:i], keys[i+1:]...)
	}
	return keys
}
