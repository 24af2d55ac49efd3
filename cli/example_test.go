package cli_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/spf13/cobra"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/cli"
	"github.com/nexios-go/nexios/config"
)

// An app's main hands the app to Main, which runs the command line and
// exits: `app` or `app serve` serves it, `app routes` lists its routes,
// `app check` verifies the deployment.
func ExampleMain() {
	type Config struct {
		Addr     string        `env:"ADDR" envDefault:"127.0.0.1:5000"`
		SMTPURL  string        `env:"SMTP_URL" envDefault:"smtp://127.0.0.1:1025"`
		APIToken config.Secret `env:"API_TOKEN"`
	}
	var cfg Config
	if err := config.Load(&cfg); err != nil {
		log.Fatal(err) // every missing or invalid key at once
	}
	app := nexios.New(nexios.Config{Title: "Shop", Version: "1.0.0"})
	app.Get("/healthz", func(_ *nexios.Request, res *nexios.Response) error { return res.Text("ok") })

	cli.Main(app,
		cli.Config(&cfg),
		cli.Addr(cfg.Addr),
		cli.Checks(cli.DialCheck("smtp", cfg.SMTPURL)),
		cli.Commands(&cobra.Command{
			Use:   "seed",
			Short: "Load demo data",
			RunE:  func(cmd *cobra.Command, _ []string) error { return nil },
		}),
	)
}

// Command returns the command line without running it, for tests and for
// programs that embed it in their own.
func ExampleCommand() {
	app := nexios.New(nexios.Config{Title: "Shop"})
	list := func(_ *nexios.Request, res *nexios.Response) error { return res.JSON([]string{}) }
	app.Get("/items", list, nexios.Name("items"), nexios.Summary("List the items"))
	app.Post("/items", list, nexios.Name("create_item"), auth.Required("items:write"))

	cmd := cli.Command(app, cli.Name("shop"))
	cmd.SetOut(os.Stdout)
	cmd.SetArgs([]string{"routes"})
	if err := cmd.Execute(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// METHOD  PATTERN  NAME         SUMMARY         MIDDLEWARE    AUTH
	// GET     /items   items        List the items  -             -
	// POST    /items   create_item  -               auth.Require  auth:items:write
}

// The config command prints the configuration with its secrets masked.
func ExampleConfig() {
	type Config struct {
		DatabaseURL string        `env:"DATABASE_URL"`
		JWTSecret   config.Secret `env:"JWT_SECRET"`
		Workers     int           `env:"WORKERS" envDefault:"4"`
	}
	var cfg Config
	err := config.Load(&cfg, config.Environ([]string{
		"DATABASE_URL=postgres://app:s3cret@db/app",
		"JWT_SECRET=a-very-long-signing-secret",
	}))
	if err != nil {
		fmt.Println(err)
		return
	}
	cmd := cli.Command(nexios.New(nexios.Config{}), cli.Config(&cfg))
	cmd.SetOut(os.Stdout)
	cmd.SetArgs([]string{"config"})
	if err := cmd.Execute(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// DATABASE_URL=postgres://app:xxxxx@db/app
	// JWT_SECRET=******
	// WORKERS=4
}

// check runs every check and fails listing every failure.
func ExampleChecks() {
	cache := cli.Check{Name: "cache", Run: func(context.Context) error { return nil }}
	search := cli.Check{Name: "search", Run: func(context.Context) error {
		return errors.New("index products is missing")
	}}
	cmd := cli.Command(nexios.New(nexios.Config{}), cli.Name("shop"), cli.Checks(cache, search))
	cmd.SetOut(os.Stdout)
	cmd.SetArgs([]string{"check"})
	err := cmd.Execute()
	fmt.Println(err, "- exit code", cli.ExitCode(err))
	// Output:
	// ok    cache
	// FAIL  search  index products is missing
	// 1 of 2 checks failed - exit code 1
}
