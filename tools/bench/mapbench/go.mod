module mapwatch/tools/bench/mapbench

go 1.19
