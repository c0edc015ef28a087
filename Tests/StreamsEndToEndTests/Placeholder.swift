// Holds the target until its suite lands; removed with the first test file.
