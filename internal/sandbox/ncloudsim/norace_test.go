//go:build !race

package ncloudsim

// raceSlowdown scales time limits: the race detector slows code several times.
const raceSlowdown = 1
