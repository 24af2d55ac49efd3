// Package jobs is durable background jobs on River.
package jobs
