package knoxsim

import "encoding/json"

// The in-memory records are compact on purpose: 100,000 employees must fit
// in a few tens of MB, so names of titles, grades and departments are not
// copied into every employee but joined at output time (as Knox itself
// would join them), and shared strings (department and title codes) point
// at the owning record's string.

type title struct {
	code, name, enName string
	sort               string          // Knox sends sortOrder as a string
	raw                json.RawMessage // set for a record PUT through the admin API
}

type org struct {
	code, name, enName, upr string
	order                   int
	raw                     json.RawMessage
}

type employee struct {
	epID, number, userID, fullName, enFullName, email, mobile, tel string
	dept, title                                                    string // codes
	grade                                                          uint8  // index into grades
	status                                                         byte   // 'B' in office, 'V' on leave
	raw                                                            json.RawMessage
}

// key is the record's identity. For raw records it is the admin path key,
// which is also what dept/title lookups use.
func (e *employee) key() string { return e.epID }

// Title is the Knox wire form of a title (직급).
type Title struct {
	CompanyCode string `json:"companyCode"`
	TitleCode   string `json:"titleCode"`
	TitleName   string `json:"titleName"`
	EnTitleName string `json:"enTitleName"`
	SortOrder   string `json:"sortOrder"`
}

// Organization is the Knox wire form of a department.
type Organization struct {
	CompanyCode         string `json:"companyCode"`
	CompanyName         string `json:"companyName"`
	EnCompanyName       string `json:"enCompanyName"`
	DepartmentCode      string `json:"departmentCode"`
	DepartmentName      string `json:"departmentName"`
	EnDepartmentName    string `json:"enDepartmentName"`
	DepartmentLevel     string `json:"departmentLevel"`
	DepartmentOrder     string `json:"departmentOrder"`
	UprDepartmentCode   string `json:"uprDepartmentCode"`
	UprDepartmentName   string `json:"uprDepartmentName"`
	EnUprDepartmentName string `json:"enUprDepartmentName"`
	LowDepartmentYn     string `json:"lowDepartmentYn"`
	HiddenDepartmentYn  string `json:"hiddenDepartmentYn"`
	InDepartmentCode    string `json:"inDepartmentCode"`
	SubOrgCode          string `json:"subOrgCode"`
	SubOrgName          string `json:"subOrgName"`
	EnSubOrgCode        string `json:"enSubOrgCode"`
	PreferredLanguage   string `json:"preferredLanguage"`
}

// Employee is the Knox wire form of an employee (resultType basic).
type Employee struct {
	EpID               string `json:"epId"`
	EmployeeNumber     string `json:"employeeNumber"`
	UserID             string `json:"userId"`
	FullName           string `json:"fullName"`
	SirName            string `json:"sirName"`
	GivenName          string `json:"givenName"`
	EnFullName         string `json:"enFullName"`
	EnSirName          string `json:"enSirName"`
	EnGivenName        string `json:"enGivenName"`
	EmailAddress       string `json:"emailAddress"`
	CompanyCode        string `json:"companyCode"`
	CompanyName        string `json:"companyName"`
	EnCompanyName      string `json:"enCompanyName"`
	DefaultCompanyCode string `json:"defaultCompanyCode"`
	DepartmentCode     string `json:"departmentCode"`
	DepartmentName     string `json:"departmentName"`
	EnDepartmentName   string `json:"enDepartmentName"`
	TitleCode          string `json:"titleCode"`
	TitleName          string `json:"titleName"`
	EnTitleName        string `json:"enTitleName"`
	TitleSortOrder     string `json:"titleSortOrder"`
	GradeName          string `json:"gradeName"`
	EnGradeName        string `json:"enGradeName"`
	GradeTitleIndiCode string `json:"gradeTitleIndiCode"`
	EmployeeStatus     string `json:"employeeStatus"`
	EmployeeType       string `json:"employeeType"`
	ExecutiveYn        string `json:"executiveYn"`
	AccountStatus      string `json:"accountStatus"`
	Mobile             string `json:"mobile"`
	OfficeTelNumber    string `json:"officeTelNumber"`
	PreferredLanguage  string `json:"preferredLanguage"`
	TimeZone           string `json:"timeZone"`
	RealNameYn         string `json:"realNameYn"`
	ServerLocation     string `json:"serverLocation"`
	Country            string `json:"country"`
	SecurityLevel      string `json:"securityLevel"`
}
