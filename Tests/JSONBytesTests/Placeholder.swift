import JSONBytes
