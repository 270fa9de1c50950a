#!/bin/sh
# Builds target/sepia-filter.jar against pixq's jar (build that first: mvn -B package -DskipTests at the top).
# PIXQ_CLASSPATH overrides where pixq's classes are (the tests use theirs).
set -eu
cd "$(dirname "$0")"
classpath=${PIXQ_CLASSPATH:-../../target/pixq.jar}
rm -rf target && mkdir -p target/classes
javac --release 17 -cp "$classpath" -d target/classes $(find src/main/java -name '*.java')
cp -r src/main/resources/. target/classes/
jar --create --file target/sepia-filter.jar -C target/classes .
echo "target/sepia-filter.jar: drop it into the worker image's /opt/pixq/ext/ (see Dockerfile), or put it on pixq's class path"
