package main

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cognito "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// motoStopTimeout bounds the wait for moto_server to exit after SIGTERM.
const motoStopTimeout = 10 * time.Second

// motoRegion is the Region of the user pools that the test creates.
const motoRegion = "eu-west-1"

// startMoto runs moto_server on a free loopback port until the test ends
// and returns its URL. It skips the test when moto_server is not on PATH,
// or fails it under CI=true.
func startMoto(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("moto_server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("moto_server not found on PATH, and CI=true requires it: install moto with its server extra (pip install 'moto[server]')")
		}
		t.Skip("moto_server not found on PATH: install moto with its server extra (pip install 'moto[server]') to test a user pool")
	}

	port := freePort(t)
	logPath := filepath.Join(t.TempDir(), "moto.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatalf("create moto log: %v", err)
	}
	cmd := exec.Command(path, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		t.Fatalf("start moto_server: %v", err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		logFile.Close()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(motoStopTimeout):
			_ = cmd.Process.Kill()
			<-exited
		}
	})

	url := "http://127.0.0.1:" + strconv.Itoa(port)
	deadline := time.Now().Add(readyTimeout)
	for {
		resp, err := http.Get(url + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return url
		}
		select {
		case <-exited:
			log, _ := os.ReadFile(logPath)
			t.Fatalf("moto_server exited before it answered:\n%s", log)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("moto_server did not answer at %s within %s: %v", url, readyTimeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// motoPool is a user pool in moto with an app client and one signed-in
// user.
type motoPool struct {
	id, clientID         string
	idToken, accessToken string
}

// newMotoPool creates a user pool, an app client and a user with a
// permanent password, and signs the user in.
func newMotoPool(t *testing.T, client *cognito.Client, name string) motoPool {
	t.Helper()
	ctx := t.Context()
	const (
		email    = "ada@example.com"
		password = "Correct-Horse-Battery-9"
	)

	pool, err := client.CreateUserPool(ctx, &cognito.CreateUserPoolInput{
		PoolName:           aws.String(name),
		UsernameAttributes: []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
	})
	if err != nil {
		t.Fatalf("CreateUserPool: %v", err)
	}
	poolID := aws.ToString(pool.UserPool.Id)

	app, err := client.CreateUserPoolClient(ctx, &cognito.CreateUserPoolClientInput{
		UserPoolId:        aws.String(poolID),
		ClientName:        aws.String(name + "-client"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
	})
	if err != nil {
		t.Fatalf("CreateUserPoolClient: %v", err)
	}
	clientID := aws.ToString(app.UserPoolClient.ClientId)

	if _, err := client.AdminCreateUser(ctx, &cognito.AdminCreateUserInput{
		UserPoolId:     aws.String(poolID),
		Username:       aws.String(email),
		MessageAction:  types.MessageActionTypeSuppress,
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(email)}, {Name: aws.String("email_verified"), Value: aws.String("true")}},
	}); err != nil {
		t.Fatalf("AdminCreateUser: %v", err)
	}
	if _, err := client.AdminSetUserPassword(ctx, &cognito.AdminSetUserPasswordInput{
		UserPoolId: aws.String(poolID),
		Username:   aws.String(email),
		Password:   aws.String(password),
		Permanent:  true,
	}); err != nil {
		t.Fatalf("AdminSetUserPassword: %v", err)
	}
	auth, err := client.AdminInitiateAuth(ctx, &cognito.AdminInitiateAuthInput{
		UserPoolId:     aws.String(poolID),
		ClientId:       aws.String(clientID),
		AuthFlow:       types.AuthFlowTypeAdminUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": password},
	})
	if err != nil {
		t.Fatalf("AdminInitiateAuth: %v", err)
	}
	if auth.AuthenticationResult == nil {
		t.Fatalf("AdminInitiateAuth returned challenge %s, want tokens", auth.ChallengeName)
	}

	return motoPool{
		id:          poolID,
		clientID:    clientID,
		idToken:     aws.ToString(auth.AuthenticationResult.IdToken),
		accessToken: aws.ToString(auth.AuthenticationResult.AccessToken),
	}
}

// TestServeCognitoPoolMotoLocalDB checks the user pool path against
// moto_server's emulated Cognito. Moto issues tokens with the real iss,
// https://cognito-idp.<region>.amazonaws.com/<pool id>, and serves the JWKS
// at /<pool id>/.well-known/jwks.json, so COGNITO_JWKS_URL alone points the
// local API at it. Moto signs every pool's tokens with one key, so the
// second pool's token is rejected on its iss and aud, not its signature.
func TestServeCognitoPoolMotoLocalDB(t *testing.T) {
	getenv := localDBEnv(t)
	motoURL := startMoto(t)

	client := cognito.New(cognito.Options{
		Region:       motoRegion,
		BaseEndpoint: aws.String(motoURL),
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
	accepted := newMotoPool(t, client, "profiles")
	other := newMotoPool(t, client, "another-app")

	getenv["COGNITO_USER_POOL_ID"] = accepted.id
	getenv["COGNITO_CLIENT_ID"] = accepted.clientID
	getenv["AWS_REGION"] = motoRegion
	getenv["COGNITO_JWKS_URL"] = motoURL + "/" + accepted.id + "/.well-known/jwks.json"
	baseURL, stderr := startServe(t, getenv.get)
	if !strings.Contains(stderr.String(), "Cognito user pool "+accepted.id) {
		t.Errorf("banner does not name the user pool:\n%s", stderr.String())
	}

	status, body := request(t, "PUT", baseURL+"/profile", accepted.idToken, "application/json", `{"name":"Ada Example"}`)
	if status != http.StatusCreated {
		t.Fatalf("PUT with the pool's ID token = %d, want 201; body %s", status, body)
	}
	status, body = request(t, "GET", baseURL+"/profile", accepted.accessToken, "", "")
	if status != http.StatusOK {
		t.Errorf("GET with the pool's access token = %d, want 200; body %s", status, body)
	}

	for name, token := range map[string]string{"ID token": other.idToken, "access token": other.accessToken} {
		status, body := request(t, "GET", baseURL+"/profile", token, "", "")
		if status != http.StatusUnauthorized {
			t.Errorf("GET with another pool's %s = %d, want 401; body %s", name, status, body)
		}
	}
	if strings.Contains(stderr.String(), "jwks refresh failed") {
		t.Errorf("the JWKS refresh failed:\n%s", stderr.String())
	}
}
