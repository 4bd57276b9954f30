module github.com/olekukonko/tablewriter

go 1.21

require (
	github.com/clipperhouse/displaywidth v0.6.2
	github.com/clipperhouse/uax29/v2 v2.3.0
	github.com/fatih/color v1.18.0
	github.com/mattn/go-runewidth v0.0.19
	github.com/olekukonko/errors v1.1.0
	github.com/olekukonko/ll v0.1.4-0.20260115111900-9e59c2286df0
	github.com/olekukonko/ts v0.0.0-20171002115256-78ecb04241c0
)

require (
	github.com/clipperhouse/stringish v0.1.1 // indirect
	github.com/mattn/go-colorable v0.1.14 // indirect
	github.com/mattn/go-isatty v0.0.20 // indirect
	github.com/olekukonko/cat v0.0.0-20250911104152-50322a0618f6 // indirect
	golang.org/x/sys v0.29.0 // indirect
)
