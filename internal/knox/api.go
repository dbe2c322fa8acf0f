// Package knox reads the organisation from the Samsung SDS Knox org lookup
// REST API (seed 001, docs/protocol.md "Knox"): job titles (직급),
// organizations (부서) and employees (임직원). Paged endpoints are streamed
// one page at a time so that a company of any size fits in memory.
package knox

import (
	"net/http"
	"time"
)

// PageSize is fixed by the server: "page 입력 시 500건씩 조회".
const PageSize = 500

// Defaults and limits.
const (
	DefaultTimeout = 30 * time.Second
	// DefaultMaxPageBytes bounds one answer; 500 employees are ~2 MB, so
	// anything near the bound is a broken server, not data.
	DefaultMaxPageBytes = 64 << 20
)

// Config is what a Client needs. Knox authenticates by System-ID only.
type Config struct {
	BaseURL     string        // e.g. http://127.0.0.1:8088/knox
	SystemID    string        // System-ID header, e.g. C60REST0001
	CompanyCode string        // companyCode query, e.g. C60
	Timeout     time.Duration // per request (one page); 0 = DefaultTimeout
	HTTPClient  *http.Client  // nil = a client of its own
	// EmployeesPOST sends the employee search as POST with the body
	// {"resultType":"basic"} (the seed lists resultType as a body field)
	// instead of GET.
	EmployeesPOST bool
	MaxPageBytes  int64 // 0 = DefaultMaxPageBytes
}

// Title is one 직급 (GET /titles).
type Title struct {
	CompanyCode string `json:"companyCode"`
	TitleCode   string `json:"titleCode"`
	TitleName   string `json:"titleName"`
	EnTitleName string `json:"enTitleName"`
	SortOrder   string `json:"sortOrder"` // a string in Knox
}

// Organization is one 부서 (GET /organizations).
type Organization struct {
	CompanyCode         string `json:"companyCode"`
	CompanyName         string `json:"companyName"`
	DepartmentCode      string `json:"departmentCode"`
	DepartmentLevel     string `json:"departmentLevel"`
	DepartmentName      string `json:"departmentName"`
	DepartmentOrder     string `json:"departmentOrder"`
	EnCompanyName       string `json:"enCompanyName"`
	EnDepartmentName    string `json:"enDepartmentName"`
	EnManagerTitle      string `json:"enManagerTitle"`
	EnSubOrgCode        string `json:"enSubOrgCode"`
	InDepartmentCode    string `json:"inDepartmentCode"`
	LowDepartmentYn     string `json:"lowDepartmentYn"` // T/F
	ManagerID           string `json:"managerId"`
	ManagerName         string `json:"managerName"`
	ManagerTitle        string `json:"managerTitle"`
	PreferredLanguage   string `json:"preferredLanguage"`
	SubOrgCode          string `json:"subOrgCode"`
	SubOrgName          string `json:"subOrgName"`
	UprDepartmentCode   string `json:"uprDepartmentCode"` // empty for a top department
	EnUprDepartmentName string `json:"enUprDepartmentName"`
	UprDepartmentName   string `json:"uprDepartmentName"`
	HiddenDepartmentYn  string `json:"hiddenDepartmentYn"` // T: hidden, F: shown
	CorpCode            string `json:"corpCode"`
	CorpName            string `json:"corpName"`
	EnCorpName          string `json:"enCorpName"`
}

// Employee is one 임직원 (GET or POST /employees). JSON names are the
// seed's, typos included (enDiscription, sendBusiCde).
type Employee struct {
	AccountStatus          string `json:"accountStatus"` // A approved, W applied, M none
	BusiCode               string `json:"busiCode"`
	BusiName               string `json:"busiName"`
	CompanyCode            string `json:"companyCode"`
	CompanyName            string `json:"companyName"`
	Country                string `json:"country"`
	DefaultCompanyCode     string `json:"defaultCompanyCode"` // O own, S seconded
	DepartmentCode         string `json:"departmentCode"`
	DepartmentName         string `json:"departmentName"`
	Description            string `json:"description"`
	EmailAddress           string `json:"emailAddress"`
	EmployeeNumber         string `json:"employeeNumber"`
	EmployeeStatus         string `json:"employeeStatus"` // B employed, V on leave
	EmployeeType           string `json:"employeeType"`
	EnBusiName             string `json:"enBusiName"`
	EnCompanyName          string `json:"enCompanyName"`
	EnDepartmentName       string `json:"enDepartmentName"`
	EnDescription          string `json:"enDiscription"`
	EnFullName             string `json:"enFullName"`
	EnGivenName            string `json:"enGivenName"`
	EnGradeName            string `json:"enGradeName"`
	EnOfficeAddress        string `json:"enOfficeAddress"`
	EnRegionName           string `json:"enRegionName"`
	EnSendBusiName         string `json:"enSendBusiName"`
	EnSendCompanyName      string `json:"enSendCompanyName"`
	EnSendDepartmentName   string `json:"enSendDepartmentName"`
	EnSendGradeName        string `json:"enSendGradeName"`
	EnSendRegionName       string `json:"enSendRegionName"`
	EnSendSubOrgName       string `json:"enSendSubOrgName"`
	EnSendTitleName        string `json:"enSendTitleName"`
	EnSirName              string `json:"enSirName"`
	EnSubOrgName           string `json:"enSubOrgName"`
	EnTitleName            string `json:"enTitleName"`
	EpID                   string `json:"epId"`
	ExecutiveYn            string `json:"executiveYn"`
	ExternalEmailAddress   string `json:"externalEmailAddress"`
	FullName               string `json:"fullName"`
	GivenName              string `json:"givenName"`
	GradeName              string `json:"gradeName"`
	GradeTitleIndiCode     string `json:"gradeTitleIndiCode"`
	InDepartmentCode       string `json:"inDepartmentCode"`
	InDepartmentName       string `json:"inDepartmentName"`
	JobName                string `json:"jobName"`
	JobCode                string `json:"jobCode"`
	LocalStaffYn           string `json:"localStaffYn"`
	Mobile                 string `json:"mobile"`
	NickName               string `json:"nickName"`
	OfficeAddress          string `json:"officeAddress"`
	OfficeDetailAddress    string `json:"officeDetailAddress"`
	OfficeFaxNumber        string `json:"officeFaxNumber"`
	OfficeZipCode          string `json:"officeZipCode"`
	OfficeTelNumber        string `json:"officeTelNumber"`
	PreferredLanguage      string `json:"preferredLanguage"`
	RealNameYn             string `json:"realNameYn"`
	RegionCode             string `json:"regionCode"`
	RegionName             string `json:"regionName"`
	SecurityLevel          string `json:"securityLevel"`
	SendBusiCode           string `json:"sendBusiCde"`
	SendCompanyCode        string `json:"sendCompanyCode"`
	SendCompanyName        string `json:"sendCompanyName"`
	SendDepartmentCode     string `json:"sendDepartmentCode"`
	SendDepartmentName     string `json:"sendDepartmentName"`
	SendGradeName          string `json:"sendGradeName"`
	SendGradeTitleIndiCode string `json:"sendGradeTitleIndiCode"`
	SendRegionCode         string `json:"sendRegionCode"`
	SendSecurityLevel      string `json:"sendSecurityLevel"`
	SendSubOrgCode         string `json:"sendSubOrgCode"`
	SendSubOrgName         string `json:"sendSubOrgName"`
	SendTitleName          string `json:"sendTitleName"`
	SendTitleCode          string `json:"sendTitleCode"`
	SendTitleSortOrder     string `json:"sendTitleSortOrder"`
	ServerLocation         string `json:"serverLocation"`
	SirName                string `json:"sirName"`
	SubOrgCode             string `json:"subOrgCode"`
	SubOrgName             string `json:"subOrgName"`
	TitleName              string `json:"titleName"`
	TitleCode              string `json:"titleCode"`
	TitleSortOrder         string `json:"titleSortOrder"`
	OpenCode               string `json:"openCode"`
	UserID                 string `json:"userId"`
	VoipNumber             string `json:"voipNumber"`
	WithdrawDate           string `json:"withdrawDate"`
	EpIDExpiryDate         string `json:"epIdExpiryDate"`
	TimeZone               string `json:"timeZone"`
}
