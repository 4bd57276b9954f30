package samtemplate

import (
	"fmt"

	"github.com/awslabs/goformation/v7/cloudformation/global"
)

// lambdaDefaultMemoryMB is Lambda's memory when neither the function nor Globals set one.
const lambdaDefaultMemoryMB = 128

// MemoryMB returns the memory configured for function logicalID: its MemorySize, else the
// Globals' Function MemorySize, else Lambda's default (128 MB). It returns an error when the
// template has no such serverless function.
func (t *Template) MemoryMB(logicalID string) (int, error) {
	f, ok := t.cf.GetAllServerlessFunctionResources()[logicalID]
	if !ok {
		return 0, fmt.Errorf("samtemplate: no serverless function %s", logicalID)
	}
	if f.MemorySize != nil {
		return *f.MemorySize, nil
	}
	if g, ok := t.cf.Globals["Function"].(*global.Function); ok && g.MemorySize != nil {
		return *g.MemorySize, nil
	}
	return lambdaDefaultMemoryMB, nil
}
