package publish

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// S3Target is a parsed s3://BUCKET/PREFIX.
type S3Target struct{ Bucket, Prefix string }

// ParseS3URL parses s3://BUCKET[/PREFIX].
func ParseS3URL(s string) (S3Target, error) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "s3" || u.Host == "" {
		return S3Target{}, fmt.Errorf("%q: want s3://BUCKET/PREFIX", s)
	}
	return S3Target{Bucket: u.Host, Prefix: strings.Trim(u.Path, "/")}, nil
}

// S3Store publishes to an S3 bucket (AWS or any S3-compatible server)
// through the AWS SDK.
type S3Store struct {
	Client *s3.Client
	Target S3Target
}

// NewS3Store makes the client from the SDK's usual environment
// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_PROFILE…).
// AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL names an S3-compatible server;
// such servers are addressed path-style (bucket in the path, not the host).
func NewS3Store(ctx context.Context, target S3Target) (*S3Store, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	custom := os.Getenv("AWS_ENDPOINT_URL_S3") != "" || os.Getenv("AWS_ENDPOINT_URL") != ""
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = custom })
	return &S3Store{Client: client, Target: target}, nil
}

func (s *S3Store) key(k string) string {
	if s.Target.Prefix == "" {
		return k
	}
	return s.Target.Prefix + "/" + k
}

func (s *S3Store) List(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	prefix := ""
	if s.Target.Prefix != "" {
		prefix = s.Target.Prefix + "/"
	}
	p := s3.NewListObjectsV2Paginator(s.Client, &s3.ListObjectsV2Input{Bucket: &s.Target.Bucket, Prefix: &prefix})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing s3://%s/%s: %w", s.Target.Bucket, prefix, err)
		}
		for _, o := range page.Contents {
			out[strings.TrimPrefix(aws.ToString(o.Key), prefix)] = unquote(aws.ToString(o.ETag))
		}
	}
	return out, nil
}

func (s *S3Store) Get(ctx context.Context, key string) ([]byte, string, error) {
	resp, err := s.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.Target.Bucket, Key: aws.String(s.key(key))})
	if err != nil {
		return nil, "", s.wrap("GET", key, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return b, unquote(aws.ToString(resp.ETag)), err
}

func (s *S3Store) Put(ctx context.Context, key string, data []byte, o PutOptions) (string, error) {
	in := &s3.PutObjectInput{Bucket: &s.Target.Bucket, Key: aws.String(s.key(key)), Body: bytes.NewReader(data),
		ContentLength: aws.Int64(int64(len(data)))}
	if o.ContentType != "" {
		in.ContentType = &o.ContentType
	}
	if o.CacheControl != "" {
		in.CacheControl = &o.CacheControl
	}
	if o.IfNoneMatch {
		in.IfNoneMatch = aws.String("*")
	}
	if o.IfMatch != "" {
		in.IfMatch = aws.String(`"` + o.IfMatch + `"`)
	}
	resp, err := s.Client.PutObject(ctx, in)
	if err != nil {
		return "", s.wrap("PUT", key, err)
	}
	return unquote(aws.ToString(resp.ETag)), nil
}

func (s *S3Store) Delete(ctx context.Context, key string) error {
	_, err := s.Client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.Target.Bucket, Key: aws.String(s.key(key))})
	return s.wrap("DELETE", key, err)
}

// wrap maps the answers the publisher acts on to ErrNotFound and
// ErrPrecondition (412; 409 is S3's answer to a concurrent conditional write).
func (s *S3Store) wrap(op, key string, err error) error {
	if err == nil {
		return nil
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		switch re.HTTPStatusCode() {
		case http.StatusNotFound:
			return fmt.Errorf("%s s3://%s/%s: %w", op, s.Target.Bucket, s.key(key), ErrNotFound)
		case http.StatusPreconditionFailed, http.StatusConflict:
			return fmt.Errorf("%s s3://%s/%s: %w", op, s.Target.Bucket, s.key(key), ErrPrecondition)
		}
	}
	return fmt.Errorf("%s s3://%s/%s: %w", op, s.Target.Bucket, s.key(key), err)
}

func unquote(etag string) string { return strings.Trim(etag, `"`) }
