// Entry point placeholder while the command line is being written.
int main() { return 0; }
