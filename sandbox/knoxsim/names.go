package knoxsim

// Name tables for the generated company. Hangul with a romanisation so the
// English fields and login ids look plausible.

type roman struct{ ko, en string }

// surnames with rough frequency weights (김 and 이 dominate, as in Korea).
var surnames = []roman{
	{"김", "Kim"}, {"이", "Lee"}, {"박", "Park"}, {"최", "Choi"}, {"정", "Jung"},
	{"강", "Kang"}, {"조", "Cho"}, {"윤", "Yoon"}, {"장", "Jang"}, {"임", "Lim"},
	{"한", "Han"}, {"오", "Oh"}, {"서", "Seo"}, {"신", "Shin"}, {"권", "Kwon"},
	{"황", "Hwang"}, {"안", "Ahn"}, {"송", "Song"}, {"류", "Ryu"}, {"전", "Jeon"},
	{"홍", "Hong"}, {"고", "Ko"}, {"문", "Moon"}, {"양", "Yang"}, {"손", "Son"},
	{"배", "Bae"}, {"백", "Baek"}, {"허", "Heo"}, {"유", "Yoo"}, {"남", "Nam"},
}

var surnameWeights = []int{
	215, 147, 84, 47, 44, 24, 21, 20, 20, 20,
	15, 8, 8, 8, 7, 7, 7, 7, 6, 6,
	6, 5, 5, 5, 5, 4, 4, 3, 3, 3,
}

var surnameTotal = sum(surnameWeights)

var syllables = []roman{
	{"민", "min"}, {"서", "seo"}, {"지", "ji"}, {"현", "hyun"}, {"준", "jun"},
	{"우", "woo"}, {"수", "su"}, {"영", "young"}, {"은", "eun"}, {"도", "do"},
	{"하", "ha"}, {"윤", "yun"}, {"예", "ye"}, {"진", "jin"}, {"성", "sung"},
	{"호", "ho"}, {"재", "jae"}, {"혜", "hye"}, {"동", "dong"}, {"상", "sang"},
	{"태", "tae"}, {"경", "kyung"}, {"희", "hee"}, {"연", "yeon"}, {"주", "ju"},
	{"승", "seung"}, {"원", "won"}, {"정", "jeong"}, {"나", "na"}, {"유", "yu"},
	{"아", "a"}, {"채", "chae"}, {"건", "geon"}, {"훈", "hoon"}, {"석", "seok"},
	{"철", "cheol"}, {"용", "yong"}, {"혁", "hyuk"}, {"빈", "bin"}, {"솔", "sol"},
}

// titleDef is one 직급 (Knox title, WORKBOX job-grade).
type titleDef struct {
	ko, en string
	weight int // share of employees holding it
}

var titleDefs = []titleDef{
	{"사원", "Staff", 300}, {"주임", "Associate", 100}, {"대리", "Assistant Manager", 200},
	{"과장", "Manager", 150}, {"차장", "Deputy General Manager", 100}, {"부장", "General Manager", 80},
	{"이사", "Director", 30}, {"상무", "Vice President", 20}, {"전무", "Senior Vice President", 10},
	{"부사장", "Executive Vice President", 5}, {"사장", "President", 3}, {"회장", "Chairman", 2},
}

var titleWeights = func() []int {
	w := make([]int, len(titleDefs))
	for i, t := range titleDefs {
		w[i] = t.weight
	}
	return w
}()

var titleTotal = sum(titleWeights)

// grades are the 직위 names (Knox gradeName, WORKBOX job-position): a
// smaller set than titles, as in the brief.
var grades = []roman{
	{"프로", "Professional"}, {"선임", "Senior Professional"}, {"책임", "Principal Professional"},
	{"수석", "Master"}, {"팀장", "Team Leader"}, {"그룹장", "Group Leader"}, {"임원", "Executive"},
}

const (
	gradePro = iota
	gradeSenior
	gradePrincipal
	gradeMaster
	gradeTeamLeader
	gradeGroupLeader
	gradeExecutive
)

// Department name parts. Level 1 are the few top departments.
var topDepts = []roman{
	{"본사", "Headquarters"}, {"DX부문", "DX Division"}, {"DS부문", "DS Division"},
	{"연구소", "Research Institute"}, {"해외사업부", "Global Business"},
}

var deptBases = []roman{
	{"경영지원", "Management Support"}, {"인사", "Human Resources"}, {"재무", "Finance"},
	{"개발", "Development"}, {"영업", "Sales"}, {"마케팅", "Marketing"}, {"품질", "Quality"},
	{"구매", "Procurement"}, {"기획", "Planning"}, {"연구", "Research"}, {"보안", "Security"},
	{"인프라", "Infrastructure"}, {"데이터", "Data"}, {"디자인", "Design"}, {"고객지원", "Customer Support"},
	{"법무", "Legal"}, {"전략", "Strategy"}, {"생산", "Production"}, {"물류", "Logistics"}, {"교육", "Training"},
}

// deptSuffix[level-2] are the unit names below the top level.
var deptSuffix = [][]roman{
	{{"실", "Office"}, {"센터", "Center"}, {"사업부", "Business Unit"}},
	{{"팀", "Team"}},
	{{"그룹", "Group"}, {"파트", "Part"}},
}
