package main

import "os"

func main() {
	var n int = "one"
	undefinedCall(n)
}
