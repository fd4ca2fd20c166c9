package dev.vcnn.engine;
class Placeholder {}
