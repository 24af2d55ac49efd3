// Package mailjob sends e-mail through a durable job: the job carries a
// mail.TemplatedMail (its kind is "nexios_mail"), and its worker renders
// and sends it. A temporary failure (a timeout, a refused connection, a
// 4xx reply) is retried with the client's backoff; a permanent one (an
// invalid address, a template that fails, a 5xx reply, bad credentials)
// cancels the job at once, with the error kept on the job and logged, so
// that a mail that can never go out is a dead letter, not a retry loop.
//
//	err := mailjob.Register(client, mail.NewTemplates(engine), sender)
//	...
//	err = d.Tx(ctx, func(ctx context.Context) error {
//		if err := db.Create(ctx, d, &user); err != nil {
//			return err
//		}
//		_, err := client.EnqueueTx(ctx, mail.TemplatedMail{To: []string{user.Email}, Template: "mail/welcome", Data: data})
//		return err
//	})
package mailjob

import (
	"context"
	"errors"
	"fmt"

	"github.com/nexios-go/nexios/jobs"
	"github.com/nexios-go/nexios/mail"
)

// Register registers the mail worker (Worker) on r, a *jobs.Client or a
// *jobs.Memory. Options are the worker's (jobs.Timeout, jobs.Backoff).
func Register(r jobs.Registry, templates *mail.Templates, sender mail.Sender, opts ...jobs.WorkerOption) error {
	if templates == nil || sender == nil {
		return errors.New("mailjob: Register needs templates and a sender")
	}
	return jobs.Register(r, Worker(templates, sender), opts...)
}

// Worker returns the worker of mail jobs: it renders the job's
// TemplatedMail with templates and sends it with sender.
func Worker(templates *mail.Templates, sender mail.Sender) jobs.WorkFunc[mail.TemplatedMail] {
	return func(ctx context.Context, job *jobs.Job[mail.TemplatedMail]) error {
		err := templates.Send(ctx, sender, job.Args)
		if err == nil {
			return nil
		}
		err = fmt.Errorf("mailjob: %q mail to %d recipient(s): %w", job.Args.Template, recipients(job.Args), err)
		if mail.IsTemporary(err) {
			return err // retried with backoff
		}
		return jobs.Permanent(err)
	}
}

func recipients(tm mail.TemplatedMail) int { return len(tm.To) + len(tm.Cc) + len(tm.Bcc) }
