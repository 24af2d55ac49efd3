// Command sse streams server-sent events to a browser: GET / serves a page
// whose EventSource writes every event into the list on the page, and
// /events sends numbered ticks, resuming after the Last-Event-ID a
// reconnecting browser sends.
//
//	go run ./examples/sse            # then open http://127.0.0.1:5000/
//	curl -N http://127.0.0.1:5000/events
//	curl -N -H 'Last-Event-ID: 3' http://127.0.0.1:5000/events
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/nexios-go/nexios"
)

// keepAlive is how often a comment goes out when no event does, so that
// proxies do not close a quiet stream.
const keepAlive = 15 * time.Second

// eventsQuery is the query of /events, bound by req.Bind and documented
// by nexios.Input: the same bounds for both.
type eventsQuery struct {
	Count    int `query:"count" default:"5" validate:"min=0,max=10000" doc:"Ticks to send."`
	Interval int `query:"interval" default:"500" validate:"min=0,max=60000" doc:"Milliseconds between ticks."`
	Drop     int `query:"drop" default:"0" validate:"min=0" doc:"End the first connection after this tick (0: never)."`
}

func newApp() *nexios.App {
	app := nexios.New(nexios.Config{Title: "SSE example"})

	app.Get("/", func(req *nexios.Request, res *nexios.Response) error {
		return res.HTML(page)
	})

	// /events?count=5&interval=500&drop=0 sends ticks 1..count, one every
	// interval milliseconds, then a "done" event. With drop=n the first
	// connection ends after tick n, as if the network failed: the browser
	// reconnects after the retry time and sends Last-Event-ID, and the
	// stream resumes after that tick.
	app.Get("/events", func(req *nexios.Request, res *nexios.Response) error {
		var q eventsQuery
		if err := req.Bind(&q); err != nil {
			return err // 422 naming the parameter: not an integer, or out of range
		}
		count, interval, drop := q.Count, q.Interval, q.Drop
		next := 1
		if last, err := strconv.Atoi(req.LastEventID()); err == nil && last >= 0 {
			next = last + 1
		}

		sse, err := res.SSE()
		if err != nil {
			return err
		}
		if err := sse.Send(nexios.Event{Retry: 100 * time.Millisecond}); err != nil {
			return nil // the client is gone
		}
		ping := time.NewTicker(keepAlive)
		defer ping.Stop()
		wait := time.NewTimer(time.Duration(interval) * time.Millisecond)
		defer wait.Stop()
		for i := next; i <= count; {
			select {
			case <-sse.Done():
				return nil // the client disconnected: stop, leaving nothing running
			case <-ping.C:
				if err := sse.Comment("keep-alive"); err != nil {
					return nil
				}
				continue
			case <-wait.C:
			}
			ev := nexios.Event{
				ID:    strconv.Itoa(i),
				Event: "tick",
				Data:  fmt.Sprintf("tick %d\nof %d", i, count), // two data: lines
			}
			if err := sse.Send(ev); err != nil {
				return nil
			}
			if i == drop && req.LastEventID() == "" {
				return nil // simulate a dropped connection once
			}
			i++
			wait.Reset(time.Duration(interval) * time.Millisecond)
		}
		return sse.Send(nexios.Event{Event: "done", Data: "bye"})
	}, nexios.Input[eventsQuery](), nexios.ReturnsFile(http.StatusOK, "text/event-stream", "The event stream."))
	return app
}

// page subscribes with EventSource and writes each event into the DOM.
// The query string of the page is passed on to /events.
const page = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Server-sent events</title></head>
<body>
<h1>Server-sent events</h1>
<p id="status">connecting</p>
<ul id="events"></ul>
<script>
  const list = document.getElementById("events");
  const status = document.getElementById("status");
  const source = new EventSource("/events" + location.search);
  let opens = 0;
  source.onopen = () => { opens++; status.textContent = "open (connection " + opens + ")"; };
  source.addEventListener("tick", (e) => {
    const li = document.createElement("li");
    li.dataset.id = e.lastEventId;
    li.textContent = e.data.split("\n").join(" | ");
    list.appendChild(li);
  });
  source.addEventListener("done", () => {
    source.close();
    status.textContent = "done after " + opens + " connection(s)";
    document.body.dataset.state = "done";
  });
</script>
</body>
</html>
`

func main() {
	addr := flag.String("addr", "127.0.0.1:5000", "address to listen on")
	flag.Parse()
	if err := newApp().Run(*addr); err != nil {
		slog.Error("server stopped", "error", err)
		os.Exit(1)
	}
}
