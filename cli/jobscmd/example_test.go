package jobscmd_test

import (
	"context"
	"fmt"
	"os"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/cli"
	"github.com/nexios-go/nexios/cli/jobscmd"
	"github.com/nexios-go/nexios/jobs"
)

// jobs cancel stops a job for good; the same option adds `worker`.
func ExampleJobs() {
	ctx := context.Background()
	q, err := jobs.NewMemory(jobs.MemoryConfig{}) // a *jobs.Client in an app
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := q.Enqueue(ctx, Report{Month: "2025-05"}); err != nil {
		fmt.Println(err)
		return
	}
	cmd := cli.Command(nexios.New(nexios.Config{}), cli.Name("app"), jobscmd.Jobs(q))
	cmd.SetOut(os.Stdout)
	cmd.SetArgs([]string{"jobs", "cancel", "1"})
	if err := cmd.ExecuteContext(ctx); err != nil {
		fmt.Println(err)
	}
	// Output:
	// job 1 (report) is cancelled
}
