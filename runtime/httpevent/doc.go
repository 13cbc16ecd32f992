// Package httpevent translates between Lambda events and plain HTTP/1.1
// exchanges, the way AWS Lambda Web Adapter does: an API Gateway (REST v1,
// HTTP API v2), ALB, Function URL or VPC Lattice event becomes a request to
// the web app, and the app's response becomes the JSON shape that event
// source expects (or, when streaming, the HTTP integration prelude). Any
// other event is passed through raw.
//
// One file per event source, as in aws-lambda-go's events package:
// request.go tells the source and builds the request, apigw.go decodes
// API Gateway, ALB and Function URL events (one shape), lattice.go VPC
// Lattice's, target.go escapes the path and query, lambdacontext.go encodes
// x-amzn-lambda-context, hopheaders.go holds the one hop-by-hop list, and
// response.go encodes the app's answer.
//
// aws-lambda-go's events package describes these shapes, but one of its
// files (lambda_function_urls.go) imports net/http, which would pull TLS
// (about 3 MB) into the static bootstrap. So the runtime decodes into the
// minimal structs of apigw.go and lattice.go, and the tests check them field for field against
// aws-lambda-go's events types.
package httpevent
