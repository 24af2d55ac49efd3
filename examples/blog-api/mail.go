package main

import "github.com/nexios-go/nexios/mail"

// welcomeMail is seed 001's BackgroundTask(email_sender.send_email,
// to=..., subject="Welcome!", template="welcome.html", context=...), as a
// durable job: the worker renders templates/mail/welcome.{html,txt} and
// sends it, retrying a temporary SMTP failure with backoff.
func welcomeMail(from string, u *User) mail.TemplatedMail {
	return mail.TemplatedMail{
		From:     from,
		To:       []string{u.Email},
		Subject:  "Welcome!",
		Template: "mail/welcome",
		Data:     map[string]any{"username": u.Username},
	}
}
