// Package cli gives a Nexios app's own binary the operations commands that
// frameworks such as Django (manage.py) and Goravel (artisan) ship:
//
//	func main() {
//		// … load the configuration, open the database, build the app …
//		cli.Main(app,
//			cli.Config(&cfg),              // `config`, and `check` validates it
//			cli.Addr(cfg.Addr),            // serve's default --addr
//			dbcmd.Database(d),             // `check` pings the database
//			dbcmd.Migrations(m),           // `migrate …`; `check` fails on pending migrations
//			jobscmd.Jobs(queue),           // `jobs …` and `worker`
//			cli.Checks(cli.DialCheck("smtp", cfg.SMTPURL)),
//		)
//	}
//
// The commands:
//
//	serve (default)     run the server: --addr, --tls-cert/--tls-key; graceful on SIGINT/SIGTERM
//	routes              method, pattern, name, summary, middleware, auth, WebSocket; --json
//	openapi             export the document (--yaml, --out, --version 3.0|3.1); --check FILE for CI
//	config              the configuration, secrets masked
//	check               configuration, secrets, database, migrations and every added check
//	ping PATH           a request through the app in process (or --url to a running server)
//	migrate …, jobs …, worker   when the app passes dbcmd / jobscmd options
//
// Commands for capabilities the app does not use are absent: migrate
// exists only with dbcmd.Migrations, jobs and worker only with
// jobscmd.Jobs, so a plain app does not link a database driver or a job
// queue through this package. --log-format text|json, on every command,
// installs a slog handler as the app's logger.
//
// Exit codes: 0 on success (serve: after a graceful shutdown), 1 when a
// command fails (a failed check, a drifted document, a 4xx or 5xx ping),
// 2 for a usage error (unknown command or flag, wrong arguments). Errors
// are printed on standard error as "name command: message".
package cli
