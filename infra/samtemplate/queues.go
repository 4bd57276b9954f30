package samtemplate

import (
	"sort"
)

// Queue is an SQS queue of the template.
type Queue struct {
	LogicalID         string
	FIFO              bool
	VisibilityTimeout int
	// DeadLetter is the logical id of its dead-letter queue and MaxReceiveCount the receives
	// after which a message moves there; both empty/zero when it has none.
	DeadLetter      string
	MaxReceiveCount int
}

// Queues returns the template's queues sorted by logical id. It returns an error when a redrive
// policy cannot be read.
func (t *Template) Queues() ([]Queue, error) {
	if t.redriveErr != nil {
		return nil, t.redriveErr
	}
	var out []Queue
	for id, q := range t.cf.GetAllSQSQueueResources() {
		v := Queue{LogicalID: id, FIFO: q.FifoQueue != nil && *q.FifoQueue, VisibilityTimeout: 30}
		if q.VisibilityTimeout != nil {
			v.VisibilityTimeout = *q.VisibilityTimeout
		}
		// goformation resolves !GetAtt to null, so the dead-letter target is read from the YAML.
		if rp, ok := t.redrive[id]; ok {
			v.DeadLetter, v.MaxReceiveCount = rp.target, rp.maxReceive
		}
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].LogicalID < out[j].LogicalID })
	return out, nil
}
