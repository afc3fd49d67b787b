<?php
// The PHP side of the comparison: what a PHP client does with an envelope,
// the key loaded once with openssl_pkey_get_public. Prints
// "php<TAB>name<TAB>envelopes per second" (median of rounds) for each line
// of envelopes.txt. Usage: php compare.php REPO_ROOT
$root = $argv[1];
$seconds = (float)(getenv('COMPARE_SECONDS') ?: 0.5);
$rounds = (int)(getenv('COMPARE_ROUNDS') ?: 5);

require __DIR__ . '/check.php';

foreach (file("$root/benches/compare/envelopes.txt") as $line) {
    $line = trim($line);
    if ($line === '' || $line[0] === '#') {
        continue;
    }
    [$name, $keyPath, $envPath] = preg_split('/\s+/', $line);
    $key = openssl_pkey_get_public(file_get_contents("$root/$keyPath"));
    if ($key === false) {
        fwrite(STDERR, "cannot load $keyPath\n");
        exit(1);
    }
    $keys = ['product' => $key, 'global' => $key];
    $text = file_get_contents("$root/$envPath");
    if (!check($text, $keys)) {
        fwrite(STDERR, "$name does not verify in PHP\n");
        exit(1);
    }
    $rates = [];
    for ($r = 0; $r < $rounds; $r++) {
        $calls = 0;
        $batch = 16;
        $start = hrtime(true);
        do {
            for ($i = 0; $i < $batch; $i++) {
                if (!check($text, $keys)) {
                    exit(1);
                }
            }
            $calls += $batch;
            $batch = min($batch * 2, 4096);
            $elapsed = (hrtime(true) - $start) / 1e9;
        } while ($elapsed < $seconds);
        $rates[] = $calls / $elapsed;
    }
    sort($rates);
    printf("php\t%s\t%.0f\n", $name, $rates[intdiv(count($rates), 2)]);
}
