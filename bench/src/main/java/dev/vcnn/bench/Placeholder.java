package dev.vcnn.bench;
class Placeholder {}
