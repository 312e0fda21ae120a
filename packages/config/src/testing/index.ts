// Store contract suites, fake clock and seeded random for tests of code built on @pk/config.
export {};
