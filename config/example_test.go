package config_test

import (
	"fmt"
	"os"
	"time"

	"github.com/nexios-go/nexios/config"
)

func ExampleLoad() {
	type Config struct {
		Addr        string        `env:"ADDR" envDefault:"127.0.0.1:5000" flag:"addr" usage:"listen address"`
		DatabaseURL string        `env:"DATABASE_URL" envDefault:"sqlite:app.db" flag:"db"`
		JWTSecret   config.Secret `env:"JWT_SECRET" validate:"omitempty,min=32"`
		Timeout     time.Duration `env:"TIMEOUT" envDefault:"15s"`
	}
	var cfg Config
	err := config.Load(&cfg,
		config.Environ([]string{"DATABASE_URL=postgres://app:s3cret@db/app", "JWT_SECRET=0123456789abcdef0123456789abcdef"}),
		config.Args([]string{"-addr", ":8080"}))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Addr, cfg.Timeout, len(cfg.JWTSecret.Reveal()))
	_ = config.Write(os.Stdout, &cfg) // what `app config` prints: secrets masked
	// Output:
	// :8080 15s 32
	// ADDR=:8080
	// DATABASE_URL=postgres://app:xxxxx@db/app
	// JWT_SECRET=******
	// TIMEOUT=15s
}

func ExampleLoad_problems() {
	type Config struct {
		DatabaseURL string `env:"DATABASE_URL,required"`
		Port        int    `env:"PORT"`
		Mode        string `env:"MODE" envDefault:"api" validate:"oneof=api web"`
	}
	var cfg Config
	err := config.Load(&cfg, config.Environ([]string{"PORT=eighty", "MODE=batch"}))
	fmt.Println(err)
	// Output:
	// config: 3 problems: DATABASE_URL: is required and not set; PORT: cannot be parsed as an integer (invalid syntax); MODE: must be one of: api, web
}
