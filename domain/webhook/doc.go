// Package webhook holds the rules of the signed webhooks Allot sends to an
// organisation's own systems: which events there are and which line
// transitions and stock changes raise them, what a subscription's URL may
// be (http or https, never a private address unless allowed), the body
// and the signature of a delivery, the retry schedule, and Verify, the
// check a receiver runs on each request.
//
// A receiver may import this package alone: it depends on the standard
// library and Allot's other domain packages only.
package webhook
