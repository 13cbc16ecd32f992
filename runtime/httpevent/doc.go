// Package httpevent translates between Lambda events and plain HTTP/1.1
// exchanges, the way AWS Lambda Web Adapter does: an API Gateway (REST v1,
// HTTP API v2), ALB or Function URL event becomes a request to the web app,
// and the app's response becomes the JSON shape that event source expects
// (or, when streaming, the HTTP integration prelude). Any other event is
// passed through raw.
//
// aws-lambda-go's events package describes these shapes, but one of its
// files (lambda_function_urls.go) imports net/http, which would pull TLS
// (about 3 MB) into the static bootstrap. So the runtime decodes into the
// minimal structs below, and the tests check them field for field against
// aws-lambda-go's events types.
package httpevent
