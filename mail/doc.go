// Package mail sends e-mail from Nexios apps: messages with HTML and
// plain-text bodies and attachments, rendered from the framework's
// templates, sent through SMTP (github.com/wneessen/go-mail), kept in
// memory for tests, or shown in a development inbox.
//
// # Senders
//
// Every sender implements Sender (Send(ctx, *Message) error):
//
//   - *SMTP sends through a server configured by URL (ParseURL, Open,
//     FromEnv): smtp://user:pass@host:587 (STARTTLS when offered,
//     ?starttls=mandatory to require it) or smtps://user:pass@host:465.
//   - *Memory keeps messages: the outbox of tests (see package mailtest)
//     and the store of the development inbox (NewInbox, MountInbox).
//
// FromEnv reads SMTP_URL and MAIL_FROM; without SMTP_URL it returns a
// *Memory in development and ErrNotConfigured otherwise.
//
// # Errors
//
// An invalid address is an *AddressError (errors.Is(err,
// ErrInvalidAddress)); InputError turns one that came from a client into a
// 422. A failed delivery is a *SendError whose Kind is ErrTLS, ErrAuth,
// ErrTimeout, ErrRecipientRejected... (errors.Is), with the SMTP reply
// code. IsTemporary(err) tells a retry loop or a durable job whether to
// try again (timeouts, 4xx replies, broken connections) or give up
// (5xx replies, bad credentials, TLS refused, invalid messages, failed
// templates).
//
// # Templates and jobs
//
// Templates renders "welcome" from welcome.html and welcome.txt with the
// template engine. TemplatedMail is the JSON-serialisable form of a
// templated mail that a durable job carries; its worker calls
// Templates.Send(ctx, sender, args) and retries when IsTemporary.
package mail
