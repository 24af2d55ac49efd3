-- wrk script for POST /echo: the same JSON body as bench.EchoBody (apps.go).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"name":"Gopher","email":"gopher@example.com","age":16,"admin":true,"tags":["go","http"]}'
