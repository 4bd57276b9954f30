module github.com/olekukonko/errors

go 1.21
