// Package series holds the number-series allotment rules: series numbers
// with exact arithmetic up to 20 digits, ranges and their overlap, series
// types and owners, drawing numbers, and Index, an in-memory structure that
// answers "does this range overlap any allotted range?" in O(log N).
package series
