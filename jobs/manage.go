package jobs

import (
	"context"
	"errors"
	"fmt"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// List returns the jobs that match f, newest first (by ID), at most
// f.Limit of them; pass the last ID as f.BeforeID for the next page.
func (c *Client) List(ctx context.Context, f Filter) ([]*Info, error) {
	rc, err := c.river(ctx)
	if err != nil {
		return nil, err
	}
	p := river.NewJobListParams().First(f.limit()).OrderBy(river.JobListOrderByID, river.SortOrderDesc)
	if len(f.States) > 0 {
		states := make([]rivertype.JobState, len(f.States))
		for i, s := range f.States {
			states[i] = rivertype.JobState(s)
		}
		p = p.States(states...)
	}
	if len(f.Kinds) > 0 {
		p = p.Kinds(f.Kinds...)
	}
	if len(f.Queues) > 0 {
		p = p.Queues(f.Queues...)
	}
	if f.BeforeID > 0 {
		p = p.Where("id < @before_id", river.NamedArgs{"before_id": f.BeforeID})
	}
	res, err := rc.JobList(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("jobs: list: %w", err)
	}
	out := make([]*Info, len(res.Jobs))
	for i, r := range res.Jobs {
		info := infoFromRow(r)
		out[i] = &info
	}
	return out, nil
}

// Get returns the job with the given ID, or an error matching
// ErrNotFound.
func (c *Client) Get(ctx context.Context, id int64) (*Info, error) {
	return c.act(ctx, "get", id, func(rc *river.Client[sqlTx]) (*rivertype.JobRow, error) { return rc.JobGet(ctx, id) })
}

// Retry makes a job available to run at once: a failed, cancelled,
// discarded, scheduled or even completed one (a job whose attempts ran
// out gets one more). A running job is left alone.
func (c *Client) Retry(ctx context.Context, id int64) (*Info, error) {
	return c.act(ctx, "retry", id, func(rc *river.Client[sqlTx]) (*rivertype.JobRow, error) { return rc.JobRetry(ctx, id) })
}

// Cancel stops a job for good: a waiting one is cancelled at once; a
// running one has its context cancelled (at once on PostgreSQL with
// LISTEN/NOTIFY, within seconds otherwise) and is not retried whatever it
// returns. A finished job is left as it is.
func (c *Client) Cancel(ctx context.Context, id int64) (*Info, error) {
	return c.act(ctx, "cancel", id, func(rc *river.Client[sqlTx]) (*rivertype.JobRow, error) { return rc.JobCancel(ctx, id) })
}

func (c *Client) act(ctx context.Context, what string, id int64, fn func(*river.Client[sqlTx]) (*rivertype.JobRow, error)) (*Info, error) {
	rc, err := c.river(ctx)
	if err != nil {
		return nil, err
	}
	row, err := fn(rc)
	if errors.Is(err, rivertype.ErrNotFound) {
		return nil, fmt.Errorf("%w: %d", ErrNotFound, id)
	}
	if err != nil {
		return nil, fmt.Errorf("jobs: %s job %d: %w", what, id, err)
	}
	info := infoFromRow(row)
	return &info, nil
}
