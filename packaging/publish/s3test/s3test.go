// Package s3test starts a real S3 server for tests: SeaweedFS (`weed
// server -s3`, installed by `make weed-install`), bound to 127.0.0.1 on
// free ports, with its data in the test's temporary directory, stopped by
// PID when the test ends.
package s3test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
)

// Credentials of the publisher identity; anonymous callers may only read,
// which is the "published HTTP view" clients install from.
const (
	AccessKey = "faas-publisher"
	SecretKey = "faas-publisher-secret-for-tests-only"
	Region    = "us-east-1"
)

// Server is a running SeaweedFS S3 gateway.
type Server struct {
	Endpoint string // http://127.0.0.1:PORT (path-style: ENDPOINT/BUCKET/KEY)
	Cmd      *exec.Cmd
	Log      string
}

// Env is the environment a publisher (faas-pkg publish) needs to reach it.
func (s *Server) Env() []string {
	return []string{"AWS_ACCESS_KEY_ID=" + AccessKey, "AWS_SECRET_ACCESS_KEY=" + SecretKey,
		"AWS_REGION=" + Region, "AWS_ENDPOINT_URL_S3=" + s.Endpoint,
		// No shared config or IMDS lookups on a test machine.
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_EC2_METADATA_DISABLED=true"}
}

// SetEnv sets Env for the rest of the test (for an in-process publisher).
func (s *Server) SetEnv(t testing.TB) {
	for _, kv := range s.Env() {
		for i := range kv {
			if kv[i] == '=' {
				t.Setenv(kv[:i], kv[i+1:])
				break
			}
		}
	}
}

// Client is an S3 client with the publisher's credentials.
func (s *Server) Client() *s3.Client {
	return s3.New(s3.Options{Region: Region, BaseEndpoint: aws.String(s.Endpoint), UsePathStyle: true,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: AccessKey, SecretAccessKey: SecretKey}, nil
		})})
}

// CreateBucket makes a bucket.
func (s *Server) CreateBucket(t testing.TB, bucket string) {
	t.Helper()
	if _, err := s.Client().CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatalf("creating bucket %s: %v", bucket, err)
	}
}

// Start starts SeaweedFS (master, volume, filer and S3 gateway in one
// process) and waits until its S3 gateway answers.
func Start(t testing.TB) *Server {
	t.Helper()
	weed := testutil.Need(t, "weed")[0]
	dir := t.TempDir()
	cfg := map[string]any{"identities": []map[string]any{
		{"name": "publisher", "credentials": []map[string]string{{"accessKey": AccessKey, "secretKey": SecretKey}},
			"actions": []string{"Admin", "Read", "List", "Tagging", "Write"}},
		{"name": "anonymous", "actions": []string{"Read"}},
	}}
	b, _ := json.Marshal(cfg)
	cfgPath := filepath.Join(dir, "s3.json")
	if err := os.WriteFile(cfgPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	ports := freePorts(t, 8)
	s3Port := ports[6]
	logPath := filepath.Join(dir, "weed.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	os.MkdirAll(data, 0o755)
	cmd := exec.Command(weed, "server",
		"-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-dir="+data,
		"-master.port="+ports[0], "-master.port.grpc="+ports[1], "-master.telemetry=false",
		"-master.volumeSizeLimitMB=64", "-volume.max=0",
		"-volume.port="+ports[2], "-volume.port.grpc="+ports[3],
		"-filer", "-filer.port="+ports[4], "-filer.port.grpc="+ports[5],
		"-s3", "-s3.port="+s3Port, "-s3.port.grpc="+ports[7], "-s3.port.iceberg=0", "-s3.port.lance=0",
		"-s3.config="+cfgPath, "-s3.iam=false",
		"-filer.localSocket="+filepath.Join(dir, "filer.sock"), "-s3.localSocket="+filepath.Join(dir, "s3.sock"))
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting weed: %v", err)
	}
	srv := &Server{Endpoint: "http://127.0.0.1:" + s3Port, Cmd: cmd, Log: logPath}
	t.Cleanup(func() {
		// Stop it by its PID (and its process group: weed starts no
		// children, but be sure), then wait.
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		logf.Close()
	})
	deadline := time.Now().Add(90 * time.Second)
	for {
		// The gateway is ready when a signed ListBuckets succeeds (the filer
		// and a volume server must be up behind it).
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, err := srv.Client().ListBuckets(ctx, &s3.ListBucketsInput{})
		cancel()
		if err == nil {
			return srv
		}
		if cmd.ProcessState != nil || time.Now().After(deadline) {
			log, _ := os.ReadFile(logPath)
			t.Fatalf("SeaweedFS S3 gateway not ready on %s: %v\n%s", srv.Endpoint, err, tail(log))
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// URL is the anonymous HTTP address of bucket/prefix (no trailing slash).
func (s *Server) URL(bucket, prefix string) string {
	u := s.Endpoint + "/" + bucket
	if prefix != "" {
		u += "/" + prefix
	}
	return u
}

// Get fetches an object anonymously, as a package manager would.
func Get(url string) (int, []byte, error) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// freePorts reserves n distinct free ports on 127.0.0.1 (all listeners are
// held until every port is chosen, so none is handed out twice).
func freePorts(t testing.TB, n int) []string {
	var lns []net.Listener
	var out []string
	for len(out) < n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		lns = append(lns, ln)
		out = append(out, strconv.Itoa(port))
	}
	for _, ln := range lns {
		ln.Close()
	}
	return out
}

func tail(b []byte) string {
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return fmt.Sprint(string(b))
}
