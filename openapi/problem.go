package openapi

// Problem is the schema of an error response: RFC 9457 problem details,
// as the app's default error renderer writes them
// (application/problem+json).
type Problem struct {
	Type   string `json:"type" validate:"required" doc:"A URI reference identifying the problem type; about:blank when the status says it all." example:"about:blank"`
	Title  string `json:"title" validate:"required" doc:"A short summary of the problem type: the status text." example:"Not Found"`
	Status int    `json:"status" validate:"required" doc:"The HTTP status code." example:"404"`
	Detail string `json:"detail,omitempty" doc:"An explanation of this occurrence of the problem."`
}

// ValidationProblem is the schema of a 422 response: a Problem listing
// every invalid input field.
type ValidationProblem struct {
	Type   string       `json:"type" validate:"required" doc:"A URI reference identifying the problem type." example:"about:blank"`
	Title  string       `json:"title" validate:"required" doc:"The status text." example:"Unprocessable Entity"`
	Status int          `json:"status" validate:"required" doc:"The HTTP status code: 422." example:"422"`
	Detail string       `json:"detail,omitempty" doc:"A one-line summary." example:"validation failed for field email"`
	Errors []FieldError `json:"errors" validate:"required" nullable:"false" doc:"Every invalid field."`
}

// FieldError is the schema of one invalid field in a ValidationProblem.
type FieldError struct {
	Location string `json:"location" validate:"required,oneof=body query path header cookie form" doc:"Where the field came from."`
	Field    string `json:"field" doc:"The field's path with wire names, such as addresses[0].city; empty for errors about the whole input." example:"email"`
	Message  string `json:"message" validate:"required" doc:"A human-readable explanation." example:"must be a valid email address"`
	Rule     string `json:"rule" validate:"required" doc:"The failed rule: required, min, email, type, enum, …" example:"email"`
	Param    string `json:"param,omitempty" doc:"The rule's parameter, such as 8 for min=8."`
}
