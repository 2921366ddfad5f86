module mapwatch/godemo

go 1.21
