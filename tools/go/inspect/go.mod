module mapwatch/tools/go/inspect

go 1.19
