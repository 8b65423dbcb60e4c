// Package operator holds the rules of dashboard operators: the people of an
// organisation who sign in to the dashboard with an email and a password.
// It defines the operator and its session, how emails and passwords are
// checked, how a session's CSRF token is derived, and the lockout policy
// that slows down password guessing. Like every domain package it does no
// I/O: times, random bytes and keys come in as arguments.
package operator
