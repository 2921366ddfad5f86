module mapwatch/retention

go 1.21
