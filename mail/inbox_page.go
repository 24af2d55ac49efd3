package mail

// inboxHTML holds the inbox pages. They are server-rendered with no
// script at all (the CSP forbids any), so nothing a mail contains can run
// on the inbox's origin.
const inboxHTML = `
{{define "head"}}<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Nexios dev inbox</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d232a;background:#f6f7f9}
header{background:#1d232a;color:#fff;padding:.6rem 1.2rem;display:flex;gap:1rem;align-items:center}
header a{color:#fff;text-decoration:none;font-weight:600}
header .note{opacity:.7;font-size:12px;margin-left:auto}
main{padding:1rem 1.2rem;max-width:1100px}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:.45rem .6rem;border-bottom:1px solid #e3e6ea;vertical-align:top}
th{font-size:12px;text-transform:uppercase;color:#5b6570}
td a{color:#0b5cad}
.meta th{width:7rem;text-transform:none;font-size:13px}
.tabs{margin:1rem 0 0;display:flex;gap:.3rem}
.tabs a{padding:.35rem .8rem;border:1px solid #cdd3da;border-bottom:none;border-radius:4px 4px 0 0;background:#eef0f3;color:#1d232a;text-decoration:none}
.tabs a.on{background:#fff;font-weight:600}
.pane{background:#fff;border:1px solid #cdd3da;padding:0}
iframe{width:100%;height:70vh;border:0;display:block}
pre{margin:0;padding:1rem;white-space:pre-wrap;word-break:break-word;font:13px/1.4 ui-monospace,monospace}
.empty{padding:2rem;background:#fff;color:#5b6570}
form{display:inline}
button{font:inherit;padding:.25rem .7rem;cursor:pointer}
</style></head><body>
<header><a href="{{.}}">✉ Dev inbox</a><span class="note">development only · mail kept in memory, not sent</span></header>
<main>{{end}}

{{define "foot"}}</main></body></html>{{end}}

{{define "list"}}{{template "head" .Base}}
{{if .Messages}}
<p>{{len .Messages}} message(s), newest first.
<form method="post" action="{{.Base}}/clear"><button type="submit">Clear all</button></form></p>
<table id="messages">
<thead><tr><th>Received</th><th>From</th><th>To</th><th>Subject</th><th></th></tr></thead>
<tbody>
{{range .Messages}}<tr class="message">
<td>{{.Envelope.Date.Format "15:04:05"}}</td>
<td>{{.Message.From}}</td>
<td>{{join .Message.To}}</td>
<td><a class="subject" href="{{$.Base}}/{{.ID}}">{{if .Message.Subject}}{{.Message.Subject}}{{else}}(no subject){{end}}</a></td>
<td>{{with .Message.Attachments}}{{len .}} file(s){{end}}</td>
</tr>
{{end}}</tbody></table>
{{else}}
<div class="empty" id="empty">No mail yet. Mail sent while SMTP_URL is unset appears here.</div>
{{end}}
{{template "foot"}}{{end}}

{{define "detail"}}{{template "head" .Base}}
<p><a href="{{.Base}}/">← all messages</a></p>
<table class="meta" id="meta">
<tr><th>Subject</th><td id="subject">{{.M.Subject}}</td></tr>
<tr><th>From</th><td>{{.M.From}}</td></tr>
<tr><th>To</th><td id="to">{{join .M.To}}</td></tr>
{{with .M.Cc}}<tr><th>Cc</th><td>{{join .}}</td></tr>{{end}}
{{with .M.Bcc}}<tr><th>Bcc</th><td>{{join .}} <small>(envelope only)</small></td></tr>{{end}}
{{with .M.ReplyTo}}<tr><th>Reply-To</th><td>{{.}}</td></tr>{{end}}
<tr><th>Date</th><td>{{.Date}}</td></tr>
<tr><th>Message-ID</th><td>&lt;{{.S.Envelope.MessageID}}&gt;</td></tr>
{{with .M.Attachments}}<tr><th>Files</th><td>{{range $i, $a := .}}<a href="{{$.Base}}/{{$.S.ID}}/attachments/{{$i}}">{{$a.Filename}}</a> ({{size (len $a.Data)}}{{if $a.Inline}}, inline{{end}})<br>{{end}}</td></tr>{{end}}
</table>
<nav class="tabs">
{{if .M.HTML}}<a href="{{.Base}}/{{.S.ID}}?view=html"{{if eq .View "html"}} class="on"{{end}}>HTML</a>{{end}}
<a href="{{.Base}}/{{.S.ID}}?view=text"{{if eq .View "text"}} class="on"{{end}}>Text</a>
<a href="{{.Base}}/{{.S.ID}}?view=raw"{{if eq .View "raw"}} class="on"{{end}}>Raw</a>
<a href="{{.Base}}/{{.S.ID}}/eml" download>Download .eml</a>
</nav>
<div class="pane">
{{if eq .View "html"}}<iframe id="preview" title="HTML preview" sandbox="allow-popups allow-popups-to-escape-sandbox" referrerpolicy="no-referrer" src="{{.Base}}/{{.S.ID}}/html"></iframe>
{{else if eq .View "raw"}}<pre id="raw">{{.Raw}}</pre>
{{else}}<pre id="text">{{.M.Text}}</pre>{{end}}
</div>
{{template "foot"}}{{end}}

{{define "missing"}}{{template "head" .}}
<div class="empty">No such message: it may have been cleared or pushed out by newer mail. <a href="{{.}}/">All messages</a></div>
{{template "foot"}}{{end}}
`
