module mapwatch/claims

go 1.19
