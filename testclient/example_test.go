package testclient_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/nexios-go/nexios/testclient"
)

func ExampleNew() {
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello, %s", r.URL.Query().Get("name"))
	})

	c := testclient.New(handler)
	res := c.Get("/greet", testclient.Query("name", "gopher"))
	fmt.Println(res.Status, res.Text())
	// Output: 200 hello, gopher
}

func ExampleResponse_JSON() {
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Name string }
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]string{"greeting": "hi " + in.Name})
	})

	c := testclient.New(handler)
	res := c.Post("/users", testclient.JSON(map[string]string{"name": "Ada"}))
	var out struct{ Greeting string }
	if err := res.JSON(&out); err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println(res.Status, out.Greeting)
	// Output: 201 hi Ada
}

func ExampleClient_Stream() {
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		rc := http.NewResponseController(w)
		for i := 1; i <= 3; i++ {
			fmt.Fprintf(w, "data: tick %d\n\n", i)
			if err := rc.Flush(); err != nil {
				return
			}
		}
	})

	c := testclient.New(handler)
	resp, err := c.Stream(context.Background(), http.MethodGet, "/events")
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	defer resp.Body.Close()

	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if line := sc.Text(); line != "" {
			fmt.Println(line)
		}
	}
	// Output:
	// data: tick 1
	// data: tick 2
	// data: tick 3
}
