package vet

import "fmt"

// Describe prints a value with the wrong verb, for go vet.
func Describe(n int) string {
	return fmt.Sprintf("%s items", n)
}
