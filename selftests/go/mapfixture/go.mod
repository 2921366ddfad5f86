module mapwatch/selftests/go/mapfixture

go 1.19
