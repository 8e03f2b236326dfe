// Package emulator runs a Lambda function under the AWS Lambda Runtime
// Interface Emulator (RIE) for local tools, without Docker.
//
// [Start] runs the aws-lambda-rie executable, which go.mod pins as a tool,
// with the function's bootstrap executable as the function. The emulator
// listens on two free 127.0.0.1 ports: one for invocations, where
// [Emulator.Invoke] posts events to /2015-03-31/functions/function/invocations
// as the Lambda Invoke API does, and one for the Lambda runtime API, which
// the function's process polls for its next event. The emulator starts the
// function's process at the first invocation. It leads a process group of
// its own, which also contains the function's process, so that
// [Emulator.Stop] and [Emulator.Kill] end both.
package emulator
