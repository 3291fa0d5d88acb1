;; SHA-256 compression (FIPS 180-4 §6.2.2), many 64-byte blocks per call. Written out in full: the
;; 64 rounds are unrolled and the eight working variables are renamed instead of moved (round t's
;; "a" is round t+1's "b", and so on), which is most of what makes it fast.
;;
;; compress(state, input, blocks): runs `blocks` consecutive 64-byte blocks starting at `input`
;; through the hash state H0..H7, eight i32 at `state` (little-endian words, as i32.load reads them).
;; Padding and the length block are the caller's job (src/core/wasm/sha256.ts).
;;
;; Memory (one module-owned memory of 17 pages, exported, never grown):
;;     0 ..   32  a hash state (the caller's choice; sha256.ts uses 0)
;;    64 ..  320  the 64 round constants K (data segment)
;;   320 ..  576  scratch: W[t] + K[t] for the block in progress
;;  1024 ..       free for input: sha256.ts copies up to 1 MiB there at a time
;;
;; The message schedule uses WebAssembly SIMD, four words at a time (the technique of Guilford,
;; Yap and Gopal, "Fast SHA-256 Implementations on Intel Architecture Processors", Intel 2012):
;; each block is loaded as four v128 and byte-swapped with one shuffle (the words are big-endian),
;; and each group of four new words W[4j..4j+3] takes σ0 of four words at once and σ1 in two halves
;; (W[4j+2] needs W[4j]). W + K goes to the scratch area, where each round reads its word. A group
;; is computed 8 rounds before it is needed, between the rounds, so that it overlaps with them.
;;
;; Measured in Node 20 (V8 11.3, x86-64), 32–64 MiB in 1 MiB pieces: this ~460–480 MB/s. The same
;; rounds with a scalar schedule (words in locals or in memory; i32.load + rotate-and-mask byte swap
;; or four i32.load8_u, no clear winner) ~330–360 MB/s; with the SIMD schedule all computed before
;; the rounds ~350–370 MB/s. The TypeScript hasher (workers/sha256.ts) ~150 MB/s.
;;
;; Round t (scalar i32; Ch(e,f,g) = g ^ (e & (f ^ g)); Maj(a,b,c) = b ^ ((a ^ b) & (b ^ c)), where
;; b ^ c is the previous round's a ^ b, kept in $bc):
;;   T1 = h + (W[t] + K[t]) + Ch(e,f,g) + Σ1(e)     (Σ1 added last: it is on the critical path)
;;   d += T1;  h = T1 + Σ0(a) + Maj(a,b,c);  then the names shift: h→a, a→b, …, d→e, …, g→h.
(module
  (memory (export "memory") 17)
  ;; K[0..63] (§4.2.2), little-endian i32.
  (data (i32.const 64) "\98\2f\8a\42\91\44\37\71\cf\fb\c0\b5\a5\db\b5\e9\5b\c2\56\39\f1\11\f1\59\a4\82\3f\92\d5\5e\1c\ab")
  (data (i32.const 96) "\98\aa\07\d8\01\5b\83\12\be\85\31\24\c3\7d\0c\55\74\5d\be\72\fe\b1\de\80\a7\06\dc\9b\74\f1\9b\c1")
  (data (i32.const 128) "\c1\69\9b\e4\86\47\be\ef\c6\9d\c1\0f\cc\a1\0c\24\6f\2c\e9\2d\aa\84\74\4a\dc\a9\b0\5c\da\88\f9\76")
  (data (i32.const 160) "\52\51\3e\98\6d\c6\31\a8\c8\27\03\b0\c7\7f\59\bf\f3\0b\e0\c6\47\91\a7\d5\51\63\ca\06\67\29\29\14")
  (data (i32.const 192) "\85\0a\b7\27\38\21\1b\2e\fc\6d\2c\4d\13\0d\38\53\54\73\0a\65\bb\0a\6a\76\2e\c9\c2\81\85\2c\72\92")
  (data (i32.const 224) "\a1\e8\bf\a2\4b\66\1a\a8\70\8b\4b\c2\a3\51\6c\c7\19\e8\92\d1\24\06\99\d6\85\35\0e\f4\70\a0\6a\10")
  (data (i32.const 256) "\16\c1\a4\19\08\6c\37\1e\4c\77\48\27\b5\bc\b0\34\b3\0c\1c\39\4a\aa\d8\4e\4f\ca\9c\5b\f3\6f\2e\68")
  (data (i32.const 288) "\ee\82\8f\74\6f\63\a5\78\14\78\c8\84\08\02\c7\8c\fa\ff\be\90\eb\6c\50\a4\f7\a3\f9\be\f2\78\71\c6")

  (func (export "compress") (param $state i32) (param $input i32) (param $blocks i32)
    (local $a i32) (local $b i32) (local $c i32) (local $d i32) (local $e i32) (local $f i32) (local $g i32) (local $h i32)
    (local $t1 i32) (local $ab i32) (local $bc i32) (local $end i32)
    ;; W[4j..4j+3] for the last four groups j; scratch vectors for the schedule
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128) (local $base v128) (local $y v128) (local $s v128)
    (local.set $end (i32.add (local.get $input) (i32.shl (local.get $blocks) (i32.const 6))))
    (local.set $a (i32.load offset=0 (local.get $state)))
    (local.set $b (i32.load offset=4 (local.get $state)))
    (local.set $c (i32.load offset=8 (local.get $state)))
    (local.set $d (i32.load offset=12 (local.get $state)))
    (local.set $e (i32.load offset=16 (local.get $state)))
    (local.set $f (i32.load offset=20 (local.get $state)))
    (local.set $g (i32.load offset=24 (local.get $state)))
    (local.set $h (i32.load offset=28 (local.get $state)))
    (block $done
      (loop $block
        (br_if $done (i32.ge_u (local.get $input) (local.get $end)))
        ;; W[0..3]: the block's words 0..3, big-endian
        (local.set $x0 (i8x16.shuffle 3 2 1 0 7 6 5 4 11 10 9 8 15 14 13 12 (v128.load offset=0 (local.get $input)) (v128.const i64x2 0 0)))
        (v128.store offset=320 (i32.const 0) (i32x4.add (local.get $x0) (v128.load offset=64 (i32.const 0)))) ;; W + K
        ;; W[4..7]: the block's words 4..7, big-endian
        (local.set $x1 (i8x16.shuffle 3 2 1 0 7 6 5 4 11 10 9 8 15 14 13 12 (v128.load offset=16 (local.get $input)) (v128.const i64x2 0 0)))
        (v128.store offset=336 (i32.const 0) (i32x4.add (local.get $x1) (v128.load offset=80 (i32.const 0)))) ;; W + K
        ;; W[8..11]: the block's words 8..11, big-endian
        (local.set $x2 (i8x16.shuffle 3 2 1 0 7 6 5 4 11 10 9 8 15 14 13 12 (v128.load offset=32 (local.get $input)) (v128.const i64x2 0 0)))
        (v128.store offset=352 (i32.const 0) (i32x4.add (local.get $x2) (v128.load offset=96 (i32.const 0)))) ;; W + K
        ;; W[12..15]: the block's words 12..15, big-endian
        (local.set $x3 (i8x16.shuffle 3 2 1 0 7 6 5 4 11 10 9 8 15 14 13 12 (v128.load offset=48 (local.get $input)) (v128.const i64x2 0 0)))
        (v128.store offset=368 (i32.const 0) (i32x4.add (local.get $x3) (v128.load offset=112 (i32.const 0)))) ;; W + K
        (local.set $bc (i32.xor (local.get $b) (local.get $c)))
        ;; round 0: a..h = a b c d e f g h
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $h) (i32.load offset=320 (i32.const 0)))
          (i32.xor (local.get $g) (i32.and (local.get $e) (i32.xor (local.get $f) (local.get $g)))))
          (i32.xor (i32.xor (i32.rotr (local.get $e) (i32.const 6)) (i32.rotr (local.get $e) (i32.const 11))) (i32.rotr (local.get $e) (i32.const 25)))))
        (local.set $d (i32.add (local.get $d) (local.get $t1)))
        (local.set $h (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $a) (i32.const 2)) (i32.rotr (local.get $a) (i32.const 13))) (i32.rotr (local.get $a) (i32.const 22))))
          (i32.xor (local.get $b) (i32.and (local.tee $ab (i32.xor (local.get $a) (local.get $b))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 1: a..h = h a b c d e f g
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $g) (i32.load offset=324 (i32.const 0)))
          (i32.xor (local.get $f) (i32.and (local.get $d) (i32.xor (local.get $e) (local.get $f)))))
          (i32.xor (i32.xor (i32.rotr (local.get $d) (i32.const 6)) (i32.rotr (local.get $d) (i32.const 11))) (i32.rotr (local.get $d) (i32.const 25)))))
        (local.set $c (i32.add (local.get $c) (local.get $t1)))
        (local.set $g (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $h) (i32.const 2)) (i32.rotr (local.get $h) (i32.const 13))) (i32.rotr (local.get $h) (i32.const 22))))
          (i32.xor (local.get $a) (i32.and (local.tee $ab (i32.xor (local.get $h) (local.get $a))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 2: a..h = g h a b c d e f
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $f) (i32.load offset=328 (i32.const 0)))
          (i32.xor (local.get $e) (i32.and (local.get $c) (i32.xor (local.get $d) (local.get $e)))))
          (i32.xor (i32.xor (i32.rotr (local.get $c) (i32.const 6)) (i32.rotr (local.get $c) (i32.const 11))) (i32.rotr (local.get $c) (i32.const 25)))))
        (local.set $b (i32.add (local.get $b) (local.get $t1)))
        (local.set $f (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $g) (i32.const 2)) (i32.rotr (local.get $g) (i32.const 13))) (i32.rotr (local.get $g) (i32.const 22))))
          (i32.xor (local.get $h) (i32.and (local.tee $ab (i32.xor (local.get $g) (local.get $h))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 3: a..h = f g h a b c d e
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $e) (i32.load offset=332 (i32.const 0)))
          (i32.xor (local.get $d) (i32.and (local.get $b) (i32.xor (local.get $c) (local.get $d)))))
          (i32.xor (i32.xor (i32.rotr (local.get $b) (i32.const 6)) (i32.rotr (local.get $b) (i32.const 11))) (i32.rotr (local.get $b) (i32.const 25)))))
        (local.set $a (i32.add (local.get $a) (local.get $t1)))
        (local.set $e (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $f) (i32.const 2)) (i32.rotr (local.get $f) (i32.const 13))) (i32.rotr (local.get $f) (i32.const 22))))
          (i32.xor (local.get $g) (i32.and (local.tee $ab (i32.xor (local.get $f) (local.get $g))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 4: a..h = e f g h a b c d
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $d) (i32.load offset=336 (i32.const 0)))
          (i32.xor (local.get $c) (i32.and (local.get $a) (i32.xor (local.get $b) (local.get $c)))))
          (i32.xor (i32.xor (i32.rotr (local.get $a) (i32.const 6)) (i32.rotr (local.get $a) (i32.const 11))) (i32.rotr (local.get $a) (i32.const 25)))))
        (local.set $h (i32.add (local.get $h) (local.get $t1)))
        (local.set $d (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $e) (i32.const 2)) (i32.rotr (local.get $e) (i32.const 13))) (i32.rotr (local.get $e) (i32.const 22))))
          (i32.xor (local.get $f) (i32.and (local.tee $ab (i32.xor (local.get $e) (local.get $f))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 5: a..h = d e f g h a b c
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $c) (i32.load offset=340 (i32.const 0)))
          (i32.xor (local.get $b) (i32.and (local.get $h) (i32.xor (local.get $a) (local.get $b)))))
          (i32.xor (i32.xor (i32.rotr (local.get $h) (i32.const 6)) (i32.rotr (local.get $h) (i32.const 11))) (i32.rotr (local.get $h) (i32.const 25)))))
        (local.set $g (i32.add (local.get $g) (local.get $t1)))
        (local.set $c (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $d) (i32.const 2)) (i32.rotr (local.get $d) (i32.const 13))) (i32.rotr (local.get $d) (i32.const 22))))
          (i32.xor (local.get $e) (i32.and (local.tee $ab (i32.xor (local.get $d) (local.get $e))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 6: a..h = c d e f g h a b
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $b) (i32.load offset=344 (i32.const 0)))
          (i32.xor (local.get $a) (i32.and (local.get $g) (i32.xor (local.get $h) (local.get $a)))))
          (i32.xor (i32.xor (i32.rotr (local.get $g) (i32.const 6)) (i32.rotr (local.get $g) (i32.const 11))) (i32.rotr (local.get $g) (i32.const 25)))))
        (local.set $f (i32.add (local.get $f) (local.get $t1)))
        (local.set $b (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $c) (i32.const 2)) (i32.rotr (local.get $c) (i32.const 13))) (i32.rotr (local.get $c) (i32.const 22))))
          (i32.xor (local.get $d) (i32.and (local.tee $ab (i32.xor (local.get $c) (local.get $d))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 7: a..h = b c d e f g h a
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $a) (i32.load offset=348 (i32.const 0)))
          (i32.xor (local.get $h) (i32.and (local.get $f) (i32.xor (local.get $g) (local.get $h)))))
          (i32.xor (i32.xor (i32.rotr (local.get $f) (i32.const 6)) (i32.rotr (local.get $f) (i32.const 11))) (i32.rotr (local.get $f) (i32.const 25)))))
        (local.set $e (i32.add (local.get $e) (local.get $t1)))
        (local.set $a (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $b) (i32.const 2)) (i32.rotr (local.get $b) (i32.const 13))) (i32.rotr (local.get $b) (i32.const 22))))
          (i32.xor (local.get $c) (i32.and (local.tee $ab (i32.xor (local.get $b) (local.get $c))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; W[16..19] = W[t-16] + σ0(W[t-15]) + W[t-7] + σ1(W[t-2]), t = 16..19  ($x0 holds W[0..3])
        (local.set $y (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 (local.get $x0) (local.get $x1))) ;; W[1..4]
        (local.set $base (i32x4.add (i32x4.add (local.get $x0) (v128.xor (v128.xor (v128.or (i32x4.shr_u (local.get $y) (i32.const 7)) (i32x4.shl (local.get $y) (i32.const 25))) (v128.or (i32x4.shr_u (local.get $y) (i32.const 18)) (i32x4.shl (local.get $y) (i32.const 14)))) (i32x4.shr_u (local.get $y) (i32.const 3))))
          (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 (local.get $x2) (local.get $x3)))) ;; + W[9..12]
        (local.set $y (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $x3) (local.get $x3))) ;; W[14], W[15] in lanes 0, 1
        (local.set $s (i32x4.add (local.get $base) (v128.xor (v128.xor (v128.or (i32x4.shr_u (local.get $y) (i32.const 17)) (i32x4.shl (local.get $y) (i32.const 15))) (v128.or (i32x4.shr_u (local.get $y) (i32.const 19)) (i32x4.shl (local.get $y) (i32.const 13)))) (i32x4.shr_u (local.get $y) (i32.const 10))))) ;; lanes 0, 1: W[16], W[17]
        (local.set $y (i8x16.shuffle 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 (local.get $s) (local.get $s))) ;; W[16], W[17] in lanes 2, 3
        (local.set $x0 (i8x16.shuffle 0 1 2 3 4 5 6 7 24 25 26 27 28 29 30 31 (local.get $s)
          (i32x4.add (local.get $base) (v128.xor (v128.xor (v128.or (i32x4.shr_u (local.get $y) (i32.const 17)) (i32x4.shl (local.get $y) (i32.const 15))) (v128.or (i32x4.shr_u (local.get $y) (i32.const 19)) (i32x4.shl (local.get $y) (i32.const 13)))) (i32x4.shr_u (local.get $y) (i32.const 10)))))) ;; lanes 2, 3: W[18], W[19]
        (v128.store offset=384 (i32.const 0) (i32x4.add (local.get $x0) (v128.load offset=128 (i32.const 0)))) ;; W + K
        ;; round 8: a..h = a b c d e f g h
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $h) (i32.load offset=352 (i32.const 0)))
          (i32.xor (local.get $g) (i32.and (local.get $e) (i32.xor (local.get $f) (local.get $g)))))
          (i32.xor (i32.xor (i32.rotr (local.get $e) (i32.const 6)) (i32.rotr (local.get $e) (i32.const 11))) (i32.rotr (local.get $e) (i32.const 25)))))
        (local.set $d (i32.add (local.get $d) (local.get $t1)))
        (local.set $h (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $a) (i32.const 2)) (i32.rotr (local.get $a) (i32.const 13))) (i32.rotr (local.get $a) (i32.const 22))))
          (i32.xor (local.get $b) (i32.and (local.tee $ab (i32.xor (local.get $a) (local.get $b))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 9: a..h = h a b c d e f g
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $g) (i32.load offset=356 (i32.const 0)))
          (i32.xor (local.get $f) (i32.and (local.get $d) (i32.xor (local.get $e) (local.get $f)))))
          (i32.xor (i32.xor (i32.rotr (local.get $d) (i32.const 6)) (i32.rotr (local.get $d) (i32.const 11))) (i32.rotr (local.get $d) (i32.const 25)))))
        (local.set $c (i32.add (local.get $c) (local.get $t1)))
        (local.set $g (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $h) (i32.const 2)) (i32.rotr (local.get $h) (i32.const 13))) (i32.rotr (local.get $h) (i32.const 22))))
          (i32.xor (local.get $a) (i32.and (local.tee $ab (i32.xor (local.get $h) (local.get $a))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 10: a..h = g h a b c d e f
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $f) (i32.load offset=360 (i32.const 0)))
          (i32.xor (local.get $e) (i32.and (local.get $c) (i32.xor (local.get $d) (local.get $e)))))
          (i32.xor (i32.xor (i32.rotr (local.get $c) (i32.const 6)) (i32.rotr (local.get $c) (i32.const 11))) (i32.rotr (local.get $c) (i32.const 25)))))
        (local.set $b (i32.add (local.get $b) (local.get $t1)))
        (local.set $f (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $g) (i32.const 2)) (i32.rotr (local.get $g) (i32.const 13))) (i32.rotr (local.get $g) (i32.const 22))))
          (i32.xor (local.get $h) (i32.and (local.tee $ab (i32.xor (local.get $g) (local.get $h))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 11: a..h = f g h a b c d e
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $e) (i32.load offset=364 (i32.const 0)))
          (i32.xor (local.get $d) (i32.and (local.get $b) (i32.xor (local.get $c) (local.get $d)))))
          (i32.xor (i32.xor (i32.rotr (local.get $b) (i32.const 6)) (i32.rotr (local.get $b) (i32.const 11))) (i32.rotr (local.get $b) (i32.const 25)))))
        (local.set $a (i32.add (local.get $a) (local.get $t1)))
        (local.set $e (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $f) (i32.const 2)) (i32.rotr (local.get $f) (i32.const 13))) (i32.rotr (local.get $f) (i32.const 22))))
          (i32.xor (local.get $g) (i32.and (local.tee $ab (i32.xor (local.get $f) (local.get $g))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; W[20..23] = W[t-16] + σ0(W[t-15]) + W[t-7] + σ1(W[t-2]), t = 20..23  ($x1 holds W[4..7])
        (local.set $y (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 (local.get $x1) (local.get $x2))) ;; W[5..8]
        (local.set $base (i32x4.add (i32x4.add (local.get $x1) (v128.xor (v128.xor (v128.or (i32x4.shr_u (local.get $y) (i32.const 7)) (i32x4.shl (local.get $y) (i32.const 25))) (v128.or (i32x4.shr_u (local.get $y) (i32.const 18)) (i32x4.shl (local.get $y) (i32.const 14)))) (i32x4.shr_u (local.get $y) (i32.const 3))))
          (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 (local.get $x3) (local.get $x0)))) ;; + W[13..16]
        (local.set $y (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $x0) (local.get $x0))) ;; W[18], W[19] in lanes 0, 1
        (local.set $s (i32x4.add (local.get $base) (v128.xor (v128.xor (v128.or (i32x4.shr_u (local.get $y) (i32.const 17)) (i32x4.shl (local.get $y) (i32.const 15))) (v128.or (i32x4.shr_u (local.get $y) (i32.const 19)) (i32x4.shl (local.get $y) (i32.const 13)))) (i32x4.shr_u (local.get $y) (i32.const 10))))) ;; lanes 0, 1: W[20], W[21]
        (local.set $y (i8x16.shuffle 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 (local.get $s) (local.get $s))) ;; W[20], W[21] in lanes 2, 3
        (local.set $x1 (i8x16.shuffle 0 1 2 3 4 5 6 7 24 25 26 27 28 29 30 31 (local.get $s)
          (i32x4.add (local.get $base) (v128.xor (v128.xor (v128.or (i32x4.shr_u (local.get $y) (i32.const 17)) (i32x4.shl (local.get $y) (i32.const 15))) (v128.or (i32x4.shr_u (local.get $y) (i32.const 19)) (i32x4.shl (local.get $y) (i32.const 13)))) (i32x4.shr_u (local.get $y) (i32.const 10)))))) ;; lanes 2, 3: W[22], W[23]
        (v128.store offset=400 (i32.const 0) (i32x4.add (local.get $x1) (v128.load offset=144 (i32.const 0)))) ;; W + K
        ;; round 12: a..h = e f g h a b c d
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $d) (i32.load offset=368 (i32.const 0)))
          (i32.xor (local.get $c) (i32.and (local.get $a) (i32.xor (local.get $b) (local.get $c)))))
          (i32.xor (i32.xor (i32.rotr (local.get $a) (i32.const 6)) (i32.rotr (local.get $a) (i32.const 11))) (i32.rotr (local.get $a) (i32.const 25)))))
        (local.set $h (i32.add (local.get $h) (local.get $t1)))
        (local.set $d (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $e) (i32.const 2)) (i32.rotr (local.get $e) (i32.const 13))) (i32.rotr (local.get $e) (i32.const 22))))
          (i32.xor (local.get $f) (i32.and (local.tee $ab (i32.xor (local.get $e) (local.get $f))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 13: a..h = d e f g h a b c
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $c) (i32.load offset=372 (i32.const 0)))
          (i32.xor (local.get $b) (i32.and (local.get $h) (i32.xor (local.get $a) (local.get $b)))))
          (i32.xor (i32.xor (i32.rotr (local.get $h) (i32.const 6)) (i32.rotr (local.get $h) (i32.const 11))) (i32.rotr (local.get $h) (i32.const 25)))))
        (local.set $g (i32.add (local.get $g) (local.get $t1)))
        (local.set $c (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $d) (i32.const 2)) (i32.rotr (local.get $d) (i32.const 13))) (i32.rotr (local.get $d) (i32.const 22))))
          (i32.xor (local.get $e) (i32.and (local.tee $ab (i32.xor (local.get $d) (local.get $e))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 14: a..h = c d e f g h a b
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $b) (i32.load offset=376 (i32.const 0)))
          (i32.xor (local.get $a) (i32.and (local.get $g) (i32.xor (local.get $h) (local.get $a)))))
          (i32.xor (i32.xor (i32.rotr (local.get $g) (i32.const 6)) (i32.rotr (local.get $g) (i32.const 11))) (i32.rotr (local.get $g) (i32.const 25)))))
        (local.set $f (i32.add (local.get $f) (local.get $t1)))
        (local.set $b (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $c) (i32.const 2)) (i32.rotr (local.get $c) (i32.const 13))) (i32.rotr (local.get $c) (i32.const 22))))
          (i32.xor (local.get $d) (i32.and (local.tee $ab (i32.xor (local.get $c) (local.get $d))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 15: a..h = b c d e f g h a
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $a) (i32.load offset=380 (i32.const 0)))
          (i32.xor (local.get $h) (i32.and (local.get $f) (i32.xor (local.get $g) (local.get $h)))))
          (i32.xor (i32.xor (i32.rotr (local.get $f) (i32.const 6)) (i32.rotr (local.get $f) (i32.const 11))) (i32.rotr (local.get $f) (i32.const 25)))))
        (local.set $e (i32.add (local.get $e) (local.get $t1)))
        (local.set $a (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $b) (i32.const 2)) (i32.rotr (local.get $b) (i32.const 13))) (i32.rotr (local.get $b) (i32.const 22))))
          (i32.xor (local.get $c) (i32.and (local.tee $ab (i32.xor (local.get $b) (local.get $c))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; W[24..27] = W[t-16] + σ0(W[t-15]) + W[t-7] + σ1(W[t-2]), t = 24..27  ($x2 holds W[8..11])
        (local.set $y (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 (local.get $x2) (local.get $x3))) ;; W[9..12]
        (local.set $base (i32x4.add (i32x4.add (local.get $x2) (v128.xor (v128.xor (v128.or (i32x4.shr_u (local.get $y) (i32.const 7)) (i32x4.shl (local.get $y) (i32.const 25))) (v128.or (i32x4.shr_u (local.get $y) (i32.const 18)) (i32x4.shl (local.get $y) (i32.const 14)))) (i32x4.shr_u (local.get $y) (i32.const 3))))
          (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 (local.get $x0) (local.get $x1)))) ;; + W[17..20]
        (local.set $y (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $x1) (local.get $x1))) ;; W[22], W[23] in lanes 0, 1
        (local.set $s (i32x4.add (local.get $base) (v128.xor (v128.xor (v128.or (i32x4.shr_u (local.get $y) (i32.const 17)) (i32x4.shl (local.get $y) (i32.const 15))) (v128.or (i32x4.shr_u (local.get $y) (i32.const 19)) (i32x4.shl (local.get $y) (i32.const 13)))) (i32x4.shr_u (local.get $y) (i32.const 10))))) ;; lanes 0, 1: W[24], W[25]
        (local.set $y (i8x16.shuffle 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 (local.get $s) (local.get $s))) ;; W[24], W[25] in lanes 2, 3
        (local.set $x2 (i8x16.shuffle 0 1 2 3 4 5 6 7 24 25 26 27 28 29 30 31 (local.get $s)
          (i32x4.add (local.get $base) (v128.xor (v128.xor (v128.or (i32x4.shr_u (local.get $y) (i32.const 17)) (i32x4.shl (local.get $y) (i32.const 15))) (v128.or (i32x4.shr_u (local.get $y) (i32.const 19)) (i32x4.shl (local.get $y) (i32.const 13)))) (i32x4.shr_u (local.get $y) (i32.const 10)))))) ;; lanes 2, 3: W[26], W[27]
        (v128.store offset=416 (i32.const 0) (i32x4.add (local.get $x2) (v128.load offset=160 (i32.const 0)))) ;; W + K
        ;; round 16: a..h = a b c d e f g h
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $h) (i32.load offset=384 (i32.const 0)))
          (i32.xor (local.get $g) (i32.and (local.get $e) (i32.xor (local.get $f) (local.get $g)))))
          (i32.xor (i32.xor (i32.rotr (local.get $e) (i32.const 6)) (i32.rotr (local.get $e) (i32.const 11))) (i32.rotr (local.get $e) (i32.const 25)))))
        (local.set $d (i32.add (local.get $d) (local.get $t1)))
        (local.set $h (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $a) (i32.const 2)) (i32.rotr (local.get $a) (i32.const 13))) (i32.rotr (local.get $a) (i32.const 22))))
          (i32.xor (local.get $b) (i32.and (local.tee $ab (i32.xor (local.get $a) (local.get $b))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 17: a..h = h a b c d e f g
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $g) (i32.load offset=388 (i32.const 0)))
          (i32.xor (local.get $f) (i32.and (local.get $d) (i32.xor (local.get $e) (local.get $f)))))
          (i32.xor (i32.xor (i32.rotr (local.get $d) (i32.const 6)) (i32.rotr (local.get $d) (i32.const 11))) (i32.rotr (local.get $d) (i32.const 25)))))
        (local.set $c (i32.add (local.get $c) (local.get $t1)))
        (local.set $g (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $h) (i32.const 2)) (i32.rotr (local.get $h) (i32.const 13))) (i32.rotr (local.get $h) (i32.const 22))))
          (i32.xor (local.get $a) (i32.and (local.tee $ab (i32.xor (local.get $h) (local.get $a))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 18: a..h = g h a b c d e f
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $f) (i32.load offset=392 (i32.const 0)))
          (i32.xor (local.get $e) (i32.and (local.get $c) (i32.xor (local.get $d) (local.get $e)))))
          (i32.xor (i32.xor (i32.rotr (local.get $c) (i32.const 6)) (i32.rotr (local.get $c) (i32.const 11))) (i32.rotr (local.get $c) (i32.const 25)))))
        (local.set $b (i32.add (local.get $b) (local.get $t1)))
        (local.set $f (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $g) (i32.const 2)) (i32.rotr (local.get $g) (i32.const 13))) (i32.rotr (local.get $g) (i32.const 22))))
          (i32.xor (local.get $h) (i32.and (local.tee $ab (i32.xor (local.get $g) (local.get $h))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 19: a..h = f g h a b c d e
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $e) (i32.load offset=396 (i32.const 0)))
          (i32.xor (local.get $d) (i32.and (local.get $b) (i32.xor (local.get $c) (local.get $d)))))
          (i32.xor (i32.xor (i32.rotr (local.get $b) (i32.const 6)) (i32.rotr (local.get $b) (i32.const 11))) (i32.rotr (local.get $b) (i32.const 25)))))
        (local.set $a (i32.add (local.get $a) (local.get $t1)))
        (local.set $e (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $f) (i32.const 2)) (i32.rotr (local.get $f) (i32.const 13))) (i32.rotr (local.get $f) (i32.const 22))))
          (i32.xor (local.get $g) (i32.and (local.tee $ab (i32.xor (local.get $f) (local.get $g))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; W[28..31] = W[t-16] + σ0(W[t-15]) + W[t-7] + σ1(W[t-2]), t = 28..31  ($x3 holds W[12..15])
        (local.set $y (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 (local.get $x3) (local.get $x0))) ;; W[13..16]
        (local.set $base (i32x4.add (i32x4.add (local.get $x3) (v128.xor (v128.xor (v128.or (i32x4.shr_u (local.get $y) (i32.const 7)) (i32x4.shl (local.get $y) (i32.const 25))) (v128.or (i32x4.shr_u (local.get $y) (i32.const 18)) (i32x4.shl (local.get $y) (i32.const 14)))) (i32x4.shr_u (local.get $y) (i32.const 3))))
          (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 (local.get $x1) (local.get $x2)))) ;; + W[21..24]
        (local.set $y (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $x2) (local.get $x2))) ;; W[26], W[27] in lanes 0, 1
        (local.set $s (i32x4.add (local.get $base) (v128.xor (v128.xor (v128.or (i32x4.shr_u (local.get $y) (i32.const 17)) (i32x4.shl (local.get $y) (i32.const 15))) (v128.or (i32x4.shr_u (local.get $y) (i32.const 19)) (i32x4.shl (local.get $y) (i32.const 13)))) (i32x4.shr_u (local.get $y) (i32.const 10))))) ;; lanes 0, 1: W[28], W[29]
        (local.set $y (i8x16.shuffle 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 (local.get $s) (local.get $s))) ;; W[28], W[29] in lanes 2, 3
        (local.set $x3 (i8x16.shuffle 0 1 2 3 4 5 6 7 24 25 26 27 28 29 30 31 (local.get $s)
          (i32x4.add (local.get $base) (v128.xor (v128.xor (v128.or (i32x4.shr_u (local.get $y) (i32.const 17)) (i32x4.shl (local.get $y) (i32.const 15))) (v128.or (i32x4.shr_u (local.get $y) (i32.const 19)) (i32x4.shl (local.get $y) (i32.const 13)))) (i32x4.shr_u (local.get $y) (i32.const 10)))))) ;; lanes 2, 3: W[30], W[31]
        (v128.store offset=432 (i32.const 0) (i32x4.add (local.get $x3) (v128.load offset=176 (i32.const 0)))) ;; W + K
        ;; round 20: a..h = e f g h a b c d
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $d) (i32.load offset=400 (i32.const 0)))
          (i32.xor (local.get $c) (i32.and (local.get $a) (i32.xor (local.get $b) (local.get $c)))))
          (i32.xor (i32.xor (i32.rotr (local.get $a) (i32.const 6)) (i32.rotr (local.get $a) (i32.const 11))) (i32.rotr (local.get $a) (i32.const 25)))))
        (local.set $h (i32.add (local.get $h) (local.get $t1)))
        (local.set $d (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $e) (i32.const 2)) (i32.rotr (local.get $e) (i32.const 13))) (i32.rotr (local.get $e) (i32.const 22))))
          (i32.xor (local.get $f) (i32.and (local.tee $ab (i32.xor (local.get $e) (local.get $f))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 21: a..h = d e f g h a b c
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $c) (i32.load offset=404 (i32.const 0)))
          (i32.xor (local.get $b) (i32.and (local.get $h) (i32.xor (local.get $a) (local.get $b)))))
          (i32.xor (i32.xor (i32.rotr (local.get $h) (i32.const 6)) (i32.rotr (local.get $h) (i32.const 11))) (i32.rotr (local.get $h) (i32.const 25)))))
        (local.set $g (i32.add (local.get $g) (local.get $t1)))
        (local.set $c (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $d) (i32.const 2)) (i32.rotr (local.get $d) (i32.const 13))) (i32.rotr (local.get $d) (i32.const 22))))
          (i32.xor (local.get $e) (i32.and (local.tee $ab (i32.xor (local.get $d) (local.get $e))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 22: a..h = c d e f g h a b
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $b) (i32.load offset=408 (i32.const 0)))
          (i32.xor (local.get $a) (i32.and (local.get $g) (i32.xor (local.get $h) (local.get $a)))))
          (i32.xor (i32.xor (i32.rotr (local.get $g) (i32.const 6)) (i32.rotr (local.get $g) (i32.const 11))) (i32.rotr (local.get $g) (i32.const 25)))))
        (local.set $f (i32.add (local.get $f) (local.get $t1)))
        (local.set $b (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $c) (i32.const 2)) (i32.rotr (local.get $c) (i32.const 13))) (i32.rotr (local.get $c) (i32.const 22))))
          (i32.xor (local.get $d) (i32.and (local.tee $ab (i32.xor (local.get $c) (local.get $d))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 23: a..h = b c d e f g h a
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $a) (i32.load offset=412 (i32.const 0)))
          (i32.xor (local.get $h) (i32.and (local.get $f) (i32.xor (local.get $g) (local.get $h)))))
          (i32.xor (i32.xor (i32.rotr (local.get $f) (i32.const 6)) (i32.rotr (local.get $f) (i32.const 11))) (i32.rotr (local.get $f) (i32.const 25)))))
        (local.set $e (i32.add (local.get $e) (local.get $t1)))
        (local.set $a (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $b) (i32.const 2)) (i32.rotr (local.get $b) (i32.const 13))) (i32.rotr (local.get $b) (i32.const 22))))
          (i32.xor (local.get $c) (i32.and (local.tee $ab (i32.xor (local.get $b) (local.get $c))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; W[32..35] = W[t-16] + σ0(W[t-15]) + W[t-7] + σ1(W[t-2]), t = 32..35  ($x0 holds W[16..19])
        (local.set $y (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 (local.get $x0) (local.get $x1))) ;; W[17..20]
        (local.set $base (i32x4.add (i32x4.add (local.get $x0) (v128.xor (v128.xor (v128.or (i32x4.shr_u (local.get $y) (i32.const 7)) (i32x4.shl (local.get $y) (i32.const 25))) (v128.or (i32x4.shr_u (local.get $y) (i32.const 18)) (i32x4.shl (local.get $y) (i32.const 14)))) (i32x4.shr_u (local.get $y) (i32.const 3))))
          (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 (local.get $x2) (local.get $x3)))) ;; + W[25..28]
        (local.set $y (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $x3) (local.get $x3))) ;; W[30], W[31] in lanes 0, 1
        (local.set $s (i32x4.add (local.get $base) (v128.xor (v128.xor (v128.or (i32x4.shr_u (local.get $y) (i32.const 17)) (i32x4.shl (local.get $y) (i32.const 15))) (v128.or (i32x4.shr_u (local.get $y) (i32.const 19)) (i32x4.shl (local.get $y) (i32.const 13)))) (i32x4.shr_u (local.get $y) (i32.const 10))))) ;; lanes 0, 1: W[32], W[33]
        (local.set $y (i8x16.shuffle 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 (local.get $s) (local.get $s))) ;; W[32], W[33] in lanes 2, 3
        (local.set $x0 (i8x16.shuffle 0 1 2 3 4 5 6 7 24 25 26 27 28 29 30 31 (local.get $s)
          (i32x4.add (local.get $base) (v128.xor (v128.xor (v128.or (i32x4.shr_u (local.get $y) (i32.const 17)) (i32x4.shl (local.get $y) (i32.const 15))) (v128.or (i32x4.shr_u (local.get $y) (i32.const 19)) (i32x4.shl (local.get $y) (i32.const 13)))) (i32x4.shr_u (local.get $y) (i32.const 10)))))) ;; lanes 2, 3: W[34], W[35]
        (v128.store offset=448 (i32.const 0) (i32x4.add (local.get $x0) (v128.load offset=192 (i32.const 0)))) ;; W + K
        ;; round 24: a..h = a b c d e f g h
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $h) (i32.load offset=416 (i32.const 0)))
          (i32.xor (local.get $g) (i32.and (local.get $e) (i32.xor (local.get $f) (local.get $g)))))
          (i32.xor (i32.xor (i32.rotr (local.get $e) (i32.const 6)) (i32.rotr (local.get $e) (i32.const 11))) (i32.rotr (local.get $e) (i32.const 25)))))
        (local.set $d (i32.add (local.get $d) (local.get $t1)))
        (local.set $h (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $a) (i32.const 2)) (i32.rotr (local.get $a) (i32.const 13))) (i32.rotr (local.get $a) (i32.const 22))))
          (i32.xor (local.get $b) (i32.and (local.tee $ab (i32.xor (local.get $a) (local.get $b))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 25: a..h = h a b c d e f g
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $g) (i32.load offset=420 (i32.const 0)))
          (i32.xor (local.get $f) (i32.and (local.get $d) (i32.xor (local.get $e) (local.get $f)))))
          (i32.xor (i32.xor (i32.rotr (local.get $d) (i32.const 6)) (i32.rotr (local.get $d) (i32.const 11))) (i32.rotr (local.get $d) (i32.const 25)))))
        (local.set $c (i32.add (local.get $c) (local.get $t1)))
        (local.set $g (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $h) (i32.const 2)) (i32.rotr (local.get $h) (i32.const 13))) (i32.rotr (local.get $h) (i32.const 22))))
          (i32.xor (local.get $a) (i32.and (local.tee $ab (i32.xor (local.get $h) (local.get $a))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 26: a..h = g h a b c d e f
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $f) (i32.load offset=424 (i32.const 0)))
          (i32.xor (local.get $e) (i32.and (local.get $c) (i32.xor (local.get $d) (local.get $e)))))
          (i32.xor (i32.xor (i32.rotr (local.get $c) (i32.const 6)) (i32.rotr (local.get $c) (i32.const 11))) (i32.rotr (local.get $c) (i32.const 25)))))
        (local.set $b (i32.add (local.get $b) (local.get $t1)))
        (local.set $f (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $g) (i32.const 2)) (i32.rotr (local.get $g) (i32.const 13))) (i32.rotr (local.get $g) (i32.const 22))))
          (i32.xor (local.get $h) (i32.and (local.tee $ab (i32.xor (local.get $g) (local.get $h))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 27: a..h = f g h a b c d e
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $e) (i32.load offset=428 (i32.const 0)))
          (i32.xor (local.get $d) (i32.and (local.get $b) (i32.xor (local.get $c) (local.get $d)))))
          (i32.xor (i32.xor (i32.rotr (local.get $b) (i32.const 6)) (i32.rotr (local.get $b) (i32.const 11))) (i32.rotr (local.get $b) (i32.const 25)))))
        (local.set $a (i32.add (local.get $a) (local.get $t1)))
        (local.set $e (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $f) (i32.const 2)) (i32.rotr (local.get $f) (i32.const 13))) (i32.rotr (local.get $f) (i32.const 22))))
          (i32.xor (local.get $g) (i32.and (local.tee $ab (i32.xor (local.get $f) (local.get $g))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; W[36..39] = W[t-16] + σ0(W[t-15]) + W[t-7] + σ1(W[t-2]), t = 36..39  ($x1 holds W[20..23])
        (local.set $y (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 (local.get $x1) (local.get $x2))) ;; W[21..24]
        (local.set $base (i32x4.add (i32x4.add (local.get $x1) (v128.xor (v128.xor (v128.or (i32x4.shr_u (local.get $y) (i32.const 7)) (i32x4.shl (local.get $y) (i32.const 25))) (v128.or (i32x4.shr_u (local.get $y) (i32.const 18)) (i32x4.shl (local.get $y) (i32.const 14)))) (i32x4.shr_u (local.get $y) (i32.const 3))))
          (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 (local.get $x3) (local.get $x0)))) ;; + W[29..32]
        (local.set $y (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $x0) (local.get $x0))) ;; W[34], W[35] in lanes 0, 1
        (local.set $s (i32x4.add (local.get $base) (v128.xor (v128.xor (v128.or (i32x4.shr_u (local.get $y) (i32.const 17)) (i32x4.shl (local.get $y) (i32.const 15))) (v128.or (i32x4.shr_u (local.get $y) (i32.const 19)) (i32x4.shl (local.get $y) (i32.const 13)))) (i32x4.shr_u (local.get $y) (i32.const 10))))) ;; lanes 0, 1: W[36], W[37]
        (local.set $y (i8x16.shuffle 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 (local.get $s) (local.get $s))) ;; W[36], W[37] in lanes 2, 3
        (local.set $x1 (i8x16.shuffle 0 1 2 3 4 5 6 7 24 25 26 27 28 29 30 31 (local.get $s)
          (i32x4.add (local.get $base) (v128.xor (v128.xor (v128.or (i32x4.shr_u (local.get $y) (i32.const 17)) (i32x4.shl (local.get $y) (i32.const 15))) (v128.or (i32x4.shr_u (local.get $y) (i32.const 19)) (i32x4.shl (local.get $y) (i32.const 13)))) (i32x4.shr_u (local.get $y) (i32.const 10)))))) ;; lanes 2, 3: W[38], W[39]
        (v128.store offset=464 (i32.const 0) (i32x4.add (local.get $x1) (v128.load offset=208 (i32.const 0)))) ;; W + K
        ;; round 28: a..h = e f g h a b c d
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $d) (i32.load offset=432 (i32.const 0)))
          (i32.xor (local.get $c) (i32.and (local.get $a) (i32.xor (local.get $b) (local.get $c)))))
          (i32.xor (i32.xor (i32.rotr (local.get $a) (i32.const 6)) (i32.rotr (local.get $a) (i32.const 11))) (i32.rotr (local.get $a) (i32.const 25)))))
        (local.set $h (i32.add (local.get $h) (local.get $t1)))
        (local.set $d (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $e) (i32.const 2)) (i32.rotr (local.get $e) (i32.const 13))) (i32.rotr (local.get $e) (i32.const 22))))
          (i32.xor (local.get $f) (i32.and (local.tee $ab (i32.xor (local.get $e) (local.get $f))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 29: a..h = d e f g h a b c
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $c) (i32.load offset=436 (i32.const 0)))
          (i32.xor (local.get $b) (i32.and (local.get $h) (i32.xor (local.get $a) (local.get $b)))))
          (i32.xor (i32.xor (i32.rotr (local.get $h) (i32.const 6)) (i32.rotr (local.get $h) (i32.const 11))) (i32.rotr (local.get $h) (i32.const 25)))))
        (local.set $g (i32.add (local.get $g) (local.get $t1)))
        (local.set $c (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $d) (i32.const 2)) (i32.rotr (local.get $d) (i32.const 13))) (i32.rotr (local.get $d) (i32.const 22))))
          (i32.xor (local.get $e) (i32.and (local.tee $ab (i32.xor (local.get $d) (local.get $e))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 30: a..h = c d e f g h a b
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $b) (i32.load offset=440 (i32.const 0)))
          (i32.xor (local.get $a) (i32.and (local.get $g) (i32.xor (local.get $h) (local.get $a)))))
          (i32.xor (i32.xor (i32.rotr (local.get $g) (i32.const 6)) (i32.rotr (local.get $g) (i32.const 11))) (i32.rotr (local.get $g) (i32.const 25)))))
        (local.set $f (i32.add (local.get $f) (local.get $t1)))
        (local.set $b (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $c) (i32.const 2)) (i32.rotr (local.get $c) (i32.const 13))) (i32.rotr (local.get $c) (i32.const 22))))
          (i32.xor (local.get $d) (i32.and (local.tee $ab (i32.xor (local.get $c) (local.get $d))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 31: a..h = b c d e f g h a
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $a) (i32.load offset=444 (i32.const 0)))
          (i32.xor (local.get $h) (i32.and (local.get $f) (i32.xor (local.get $g) (local.get $h)))))
          (i32.xor (i32.xor (i32.rotr (local.get $f) (i32.const 6)) (i32.rotr (local.get $f) (i32.const 11))) (i32.rotr (local.get $f) (i32.const 25)))))
        (local.set $e (i32.add (local.get $e) (local.get $t1)))
        (local.set $a (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $b) (i32.const 2)) (i32.rotr (local.get $b) (i32.const 13))) (i32.rotr (local.get $b) (i32.const 22))))
          (i32.xor (local.get $c) (i32.and (local.tee $ab (i32.xor (local.get $b) (local.get $c))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; W[40..43] = W[t-16] + σ0(W[t-15]) + W[t-7] + σ1(W[t-2]), t = 40..43  ($x2 holds W[24..27])
        (local.set $y (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 (local.get $x2) (local.get $x3))) ;; W[25..28]
        (local.set $base (i32x4.add (i32x4.add (local.get $x2) (v128.xor (v128.xor (v128.or (i32x4.shr_u (local.get $y) (i32.const 7)) (i32x4.shl (local.get $y) (i32.const 25))) (v128.or (i32x4.shr_u (local.get $y) (i32.const 18)) (i32x4.shl (local.get $y) (i32.const 14)))) (i32x4.shr_u (local.get $y) (i32.const 3))))
          (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 (local.get $x0) (local.get $x1)))) ;; + W[33..36]
        (local.set $y (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $x1) (local.get $x1))) ;; W[38], W[39] in lanes 0, 1
        (local.set $s (i32x4.add (local.get $base) (v128.xor (v128.xor (v128.or (i32x4.shr_u (local.get $y) (i32.const 17)) (i32x4.shl (local.get $y) (i32.const 15))) (v128.or (i32x4.shr_u (local.get $y) (i32.const 19)) (i32x4.shl (local.get $y) (i32.const 13)))) (i32x4.shr_u (local.get $y) (i32.const 10))))) ;; lanes 0, 1: W[40], W[41]
        (local.set $y (i8x16.shuffle 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 (local.get $s) (local.get $s))) ;; W[40], W[41] in lanes 2, 3
        (local.set $x2 (i8x16.shuffle 0 1 2 3 4 5 6 7 24 25 26 27 28 29 30 31 (local.get $s)
          (i32x4.add (local.get $base) (v128.xor (v128.xor (v128.or (i32x4.shr_u (local.get $y) (i32.const 17)) (i32x4.shl (local.get $y) (i32.const 15))) (v128.or (i32x4.shr_u (local.get $y) (i32.const 19)) (i32x4.shl (local.get $y) (i32.const 13)))) (i32x4.shr_u (local.get $y) (i32.const 10)))))) ;; lanes 2, 3: W[42], W[43]
        (v128.store offset=480 (i32.const 0) (i32x4.add (local.get $x2) (v128.load offset=224 (i32.const 0)))) ;; W + K
        ;; round 32: a..h = a b c d e f g h
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $h) (i32.load offset=448 (i32.const 0)))
          (i32.xor (local.get $g) (i32.and (local.get $e) (i32.xor (local.get $f) (local.get $g)))))
          (i32.xor (i32.xor (i32.rotr (local.get $e) (i32.const 6)) (i32.rotr (local.get $e) (i32.const 11))) (i32.rotr (local.get $e) (i32.const 25)))))
        (local.set $d (i32.add (local.get $d) (local.get $t1)))
        (local.set $h (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $a) (i32.const 2)) (i32.rotr (local.get $a) (i32.const 13))) (i32.rotr (local.get $a) (i32.const 22))))
          (i32.xor (local.get $b) (i32.and (local.tee $ab (i32.xor (local.get $a) (local.get $b))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 33: a..h = h a b c d e f g
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $g) (i32.load offset=452 (i32.const 0)))
          (i32.xor (local.get $f) (i32.and (local.get $d) (i32.xor (local.get $e) (local.get $f)))))
          (i32.xor (i32.xor (i32.rotr (local.get $d) (i32.const 6)) (i32.rotr (local.get $d) (i32.const 11))) (i32.rotr (local.get $d) (i32.const 25)))))
        (local.set $c (i32.add (local.get $c) (local.get $t1)))
        (local.set $g (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $h) (i32.const 2)) (i32.rotr (local.get $h) (i32.const 13))) (i32.rotr (local.get $h) (i32.const 22))))
          (i32.xor (local.get $a) (i32.and (local.tee $ab (i32.xor (local.get $h) (local.get $a))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 34: a..h = g h a b c d e f
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $f) (i32.load offset=456 (i32.const 0)))
          (i32.xor (local.get $e) (i32.and (local.get $c) (i32.xor (local.get $d) (local.get $e)))))
          (i32.xor (i32.xor (i32.rotr (local.get $c) (i32.const 6)) (i32.rotr (local.get $c) (i32.const 11))) (i32.rotr (local.get $c) (i32.const 25)))))
        (local.set $b (i32.add (local.get $b) (local.get $t1)))
        (local.set $f (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $g) (i32.const 2)) (i32.rotr (local.get $g) (i32.const 13))) (i32.rotr (local.get $g) (i32.const 22))))
          (i32.xor (local.get $h) (i32.and (local.tee $ab (i32.xor (local.get $g) (local.get $h))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 35: a..h = f g h a b c d e
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $e) (i32.load offset=460 (i32.const 0)))
          (i32.xor (local.get $d) (i32.and (local.get $b) (i32.xor (local.get $c) (local.get $d)))))
          (i32.xor (i32.xor (i32.rotr (local.get $b) (i32.const 6)) (i32.rotr (local.get $b) (i32.const 11))) (i32.rotr (local.get $b) (i32.const 25)))))
        (local.set $a (i32.add (local.get $a) (local.get $t1)))
        (local.set $e (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $f) (i32.const 2)) (i32.rotr (local.get $f) (i32.const 13))) (i32.rotr (local.get $f) (i32.const 22))))
          (i32.xor (local.get $g) (i32.and (local.tee $ab (i32.xor (local.get $f) (local.get $g))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; W[44..47] = W[t-16] + σ0(W[t-15]) + W[t-7] + σ1(W[t-2]), t = 44..47  ($x3 holds W[28..31])
        (local.set $y (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 (local.get $x3) (local.get $x0))) ;; W[29..32]
        (local.set $base (i32x4.add (i32x4.add (local.get $x3) (v128.xor (v128.xor (v128.or (i32x4.shr_u (local.get $y) (i32.const 7)) (i32x4.shl (local.get $y) (i32.const 25))) (v128.or (i32x4.shr_u (local.get $y) (i32.const 18)) (i32x4.shl (local.get $y) (i32.const 14)))) (i32x4.shr_u (local.get $y) (i32.const 3))))
          (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 (local.get $x1) (local.get $x2)))) ;; + W[37..40]
        (local.set $y (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $x2) (local.get $x2))) ;; W[42], W[43] in lanes 0, 1
        (local.set $s (i32x4.add (local.get $base) (v128.xor (v128.xor (v128.or (i32x4.shr_u (local.get $y) (i32.const 17)) (i32x4.shl (local.get $y) (i32.const 15))) (v128.or (i32x4.shr_u (local.get $y) (i32.const 19)) (i32x4.shl (local.get $y) (i32.const 13)))) (i32x4.shr_u (local.get $y) (i32.const 10))))) ;; lanes 0, 1: W[44], W[45]
        (local.set $y (i8x16.shuffle 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 (local.get $s) (local.get $s))) ;; W[44], W[45] in lanes 2, 3
        (local.set $x3 (i8x16.shuffle 0 1 2 3 4 5 6 7 24 25 26 27 28 29 30 31 (local.get $s)
          (i32x4.add (local.get $base) (v128.xor (v128.xor (v128.or (i32x4.shr_u (local.get $y) (i32.const 17)) (i32x4.shl (local.get $y) (i32.const 15))) (v128.or (i32x4.shr_u (local.get $y) (i32.const 19)) (i32x4.shl (local.get $y) (i32.const 13)))) (i32x4.shr_u (local.get $y) (i32.const 10)))))) ;; lanes 2, 3: W[46], W[47]
        (v128.store offset=496 (i32.const 0) (i32x4.add (local.get $x3) (v128.load offset=240 (i32.const 0)))) ;; W + K
        ;; round 36: a..h = e f g h a b c d
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $d) (i32.load offset=464 (i32.const 0)))
          (i32.xor (local.get $c) (i32.and (local.get $a) (i32.xor (local.get $b) (local.get $c)))))
          (i32.xor (i32.xor (i32.rotr (local.get $a) (i32.const 6)) (i32.rotr (local.get $a) (i32.const 11))) (i32.rotr (local.get $a) (i32.const 25)))))
        (local.set $h (i32.add (local.get $h) (local.get $t1)))
        (local.set $d (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $e) (i32.const 2)) (i32.rotr (local.get $e) (i32.const 13))) (i32.rotr (local.get $e) (i32.const 22))))
          (i32.xor (local.get $f) (i32.and (local.tee $ab (i32.xor (local.get $e) (local.get $f))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 37: a..h = d e f g h a b c
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $c) (i32.load offset=468 (i32.const 0)))
          (i32.xor (local.get $b) (i32.and (local.get $h) (i32.xor (local.get $a) (local.get $b)))))
          (i32.xor (i32.xor (i32.rotr (local.get $h) (i32.const 6)) (i32.rotr (local.get $h) (i32.const 11))) (i32.rotr (local.get $h) (i32.const 25)))))
        (local.set $g (i32.add (local.get $g) (local.get $t1)))
        (local.set $c (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $d) (i32.const 2)) (i32.rotr (local.get $d) (i32.const 13))) (i32.rotr (local.get $d) (i32.const 22))))
          (i32.xor (local.get $e) (i32.and (local.tee $ab (i32.xor (local.get $d) (local.get $e))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 38: a..h = c d e f g h a b
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $b) (i32.load offset=472 (i32.const 0)))
          (i32.xor (local.get $a) (i32.and (local.get $g) (i32.xor (local.get $h) (local.get $a)))))
          (i32.xor (i32.xor (i32.rotr (local.get $g) (i32.const 6)) (i32.rotr (local.get $g) (i32.const 11))) (i32.rotr (local.get $g) (i32.const 25)))))
        (local.set $f (i32.add (local.get $f) (local.get $t1)))
        (local.set $b (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $c) (i32.const 2)) (i32.rotr (local.get $c) (i32.const 13))) (i32.rotr (local.get $c) (i32.const 22))))
          (i32.xor (local.get $d) (i32.and (local.tee $ab (i32.xor (local.get $c) (local.get $d))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 39: a..h = b c d e f g h a
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $a) (i32.load offset=476 (i32.const 0)))
          (i32.xor (local.get $h) (i32.and (local.get $f) (i32.xor (local.get $g) (local.get $h)))))
          (i32.xor (i32.xor (i32.rotr (local.get $f) (i32.const 6)) (i32.rotr (local.get $f) (i32.const 11))) (i32.rotr (local.get $f) (i32.const 25)))))
        (local.set $e (i32.add (local.get $e) (local.get $t1)))
        (local.set $a (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $b) (i32.const 2)) (i32.rotr (local.get $b) (i32.const 13))) (i32.rotr (local.get $b) (i32.const 22))))
          (i32.xor (local.get $c) (i32.and (local.tee $ab (i32.xor (local.get $b) (local.get $c))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; W[48..51] = W[t-16] + σ0(W[t-15]) + W[t-7] + σ1(W[t-2]), t = 48..51  ($x0 holds W[32..35])
        (local.set $y (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 (local.get $x0) (local.get $x1))) ;; W[33..36]
        (local.set $base (i32x4.add (i32x4.add (local.get $x0) (v128.xor (v128.xor (v128.or (i32x4.shr_u (local.get $y) (i32.const 7)) (i32x4.shl (local.get $y) (i32.const 25))) (v128.or (i32x4.shr_u (local.get $y) (i32.const 18)) (i32x4.shl (local.get $y) (i32.const 14)))) (i32x4.shr_u (local.get $y) (i32.const 3))))
          (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 (local.get $x2) (local.get $x3)))) ;; + W[41..44]
        (local.set $y (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $x3) (local.get $x3))) ;; W[46], W[47] in lanes 0, 1
        (local.set $s (i32x4.add (local.get $base) (v128.xor (v128.xor (v128.or (i32x4.shr_u (local.get $y) (i32.const 17)) (i32x4.shl (local.get $y) (i32.const 15))) (v128.or (i32x4.shr_u (local.get $y) (i32.const 19)) (i32x4.shl (local.get $y) (i32.const 13)))) (i32x4.shr_u (local.get $y) (i32.const 10))))) ;; lanes 0, 1: W[48], W[49]
        (local.set $y (i8x16.shuffle 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 (local.get $s) (local.get $s))) ;; W[48], W[49] in lanes 2, 3
        (local.set $x0 (i8x16.shuffle 0 1 2 3 4 5 6 7 24 25 26 27 28 29 30 31 (local.get $s)
          (i32x4.add (local.get $base) (v128.xor (v128.xor (v128.or (i32x4.shr_u (local.get $y) (i32.const 17)) (i32x4.shl (local.get $y) (i32.const 15))) (v128.or (i32x4.shr_u (local.get $y) (i32.const 19)) (i32x4.shl (local.get $y) (i32.const 13)))) (i32x4.shr_u (local.get $y) (i32.const 10)))))) ;; lanes 2, 3: W[50], W[51]
        (v128.store offset=512 (i32.const 0) (i32x4.add (local.get $x0) (v128.load offset=256 (i32.const 0)))) ;; W + K
        ;; round 40: a..h = a b c d e f g h
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $h) (i32.load offset=480 (i32.const 0)))
          (i32.xor (local.get $g) (i32.and (local.get $e) (i32.xor (local.get $f) (local.get $g)))))
          (i32.xor (i32.xor (i32.rotr (local.get $e) (i32.const 6)) (i32.rotr (local.get $e) (i32.const 11))) (i32.rotr (local.get $e) (i32.const 25)))))
        (local.set $d (i32.add (local.get $d) (local.get $t1)))
        (local.set $h (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $a) (i32.const 2)) (i32.rotr (local.get $a) (i32.const 13))) (i32.rotr (local.get $a) (i32.const 22))))
          (i32.xor (local.get $b) (i32.and (local.tee $ab (i32.xor (local.get $a) (local.get $b))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 41: a..h = h a b c d e f g
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $g) (i32.load offset=484 (i32.const 0)))
          (i32.xor (local.get $f) (i32.and (local.get $d) (i32.xor (local.get $e) (local.get $f)))))
          (i32.xor (i32.xor (i32.rotr (local.get $d) (i32.const 6)) (i32.rotr (local.get $d) (i32.const 11))) (i32.rotr (local.get $d) (i32.const 25)))))
        (local.set $c (i32.add (local.get $c) (local.get $t1)))
        (local.set $g (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $h) (i32.const 2)) (i32.rotr (local.get $h) (i32.const 13))) (i32.rotr (local.get $h) (i32.const 22))))
          (i32.xor (local.get $a) (i32.and (local.tee $ab (i32.xor (local.get $h) (local.get $a))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 42: a..h = g h a b c d e f
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $f) (i32.load offset=488 (i32.const 0)))
          (i32.xor (local.get $e) (i32.and (local.get $c) (i32.xor (local.get $d) (local.get $e)))))
          (i32.xor (i32.xor (i32.rotr (local.get $c) (i32.const 6)) (i32.rotr (local.get $c) (i32.const 11))) (i32.rotr (local.get $c) (i32.const 25)))))
        (local.set $b (i32.add (local.get $b) (local.get $t1)))
        (local.set $f (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $g) (i32.const 2)) (i32.rotr (local.get $g) (i32.const 13))) (i32.rotr (local.get $g) (i32.const 22))))
          (i32.xor (local.get $h) (i32.and (local.tee $ab (i32.xor (local.get $g) (local.get $h))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 43: a..h = f g h a b c d e
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $e) (i32.load offset=492 (i32.const 0)))
          (i32.xor (local.get $d) (i32.and (local.get $b) (i32.xor (local.get $c) (local.get $d)))))
          (i32.xor (i32.xor (i32.rotr (local.get $b) (i32.const 6)) (i32.rotr (local.get $b) (i32.const 11))) (i32.rotr (local.get $b) (i32.const 25)))))
        (local.set $a (i32.add (local.get $a) (local.get $t1)))
        (local.set $e (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $f) (i32.const 2)) (i32.rotr (local.get $f) (i32.const 13))) (i32.rotr (local.get $f) (i32.const 22))))
          (i32.xor (local.get $g) (i32.and (local.tee $ab (i32.xor (local.get $f) (local.get $g))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; W[52..55] = W[t-16] + σ0(W[t-15]) + W[t-7] + σ1(W[t-2]), t = 52..55  ($x1 holds W[36..39])
        (local.set $y (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 (local.get $x1) (local.get $x2))) ;; W[37..40]
        (local.set $base (i32x4.add (i32x4.add (local.get $x1) (v128.xor (v128.xor (v128.or (i32x4.shr_u (local.get $y) (i32.const 7)) (i32x4.shl (local.get $y) (i32.const 25))) (v128.or (i32x4.shr_u (local.get $y) (i32.const 18)) (i32x4.shl (local.get $y) (i32.const 14)))) (i32x4.shr_u (local.get $y) (i32.const 3))))
          (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 (local.get $x3) (local.get $x0)))) ;; + W[45..48]
        (local.set $y (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $x0) (local.get $x0))) ;; W[50], W[51] in lanes 0, 1
        (local.set $s (i32x4.add (local.get $base) (v128.xor (v128.xor (v128.or (i32x4.shr_u (local.get $y) (i32.const 17)) (i32x4.shl (local.get $y) (i32.const 15))) (v128.or (i32x4.shr_u (local.get $y) (i32.const 19)) (i32x4.shl (local.get $y) (i32.const 13)))) (i32x4.shr_u (local.get $y) (i32.const 10))))) ;; lanes 0, 1: W[52], W[53]
        (local.set $y (i8x16.shuffle 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 (local.get $s) (local.get $s))) ;; W[52], W[53] in lanes 2, 3
        (local.set $x1 (i8x16.shuffle 0 1 2 3 4 5 6 7 24 25 26 27 28 29 30 31 (local.get $s)
          (i32x4.add (local.get $base) (v128.xor (v128.xor (v128.or (i32x4.shr_u (local.get $y) (i32.const 17)) (i32x4.shl (local.get $y) (i32.const 15))) (v128.or (i32x4.shr_u (local.get $y) (i32.const 19)) (i32x4.shl (local.get $y) (i32.const 13)))) (i32x4.shr_u (local.get $y) (i32.const 10)))))) ;; lanes 2, 3: W[54], W[55]
        (v128.store offset=528 (i32.const 0) (i32x4.add (local.get $x1) (v128.load offset=272 (i32.const 0)))) ;; W + K
        ;; round 44: a..h = e f g h a b c d
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $d) (i32.load offset=496 (i32.const 0)))
          (i32.xor (local.get $c) (i32.and (local.get $a) (i32.xor (local.get $b) (local.get $c)))))
          (i32.xor (i32.xor (i32.rotr (local.get $a) (i32.const 6)) (i32.rotr (local.get $a) (i32.const 11))) (i32.rotr (local.get $a) (i32.const 25)))))
        (local.set $h (i32.add (local.get $h) (local.get $t1)))
        (local.set $d (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $e) (i32.const 2)) (i32.rotr (local.get $e) (i32.const 13))) (i32.rotr (local.get $e) (i32.const 22))))
          (i32.xor (local.get $f) (i32.and (local.tee $ab (i32.xor (local.get $e) (local.get $f))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 45: a..h = d e f g h a b c
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $c) (i32.load offset=500 (i32.const 0)))
          (i32.xor (local.get $b) (i32.and (local.get $h) (i32.xor (local.get $a) (local.get $b)))))
          (i32.xor (i32.xor (i32.rotr (local.get $h) (i32.const 6)) (i32.rotr (local.get $h) (i32.const 11))) (i32.rotr (local.get $h) (i32.const 25)))))
        (local.set $g (i32.add (local.get $g) (local.get $t1)))
        (local.set $c (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $d) (i32.const 2)) (i32.rotr (local.get $d) (i32.const 13))) (i32.rotr (local.get $d) (i32.const 22))))
          (i32.xor (local.get $e) (i32.and (local.tee $ab (i32.xor (local.get $d) (local.get $e))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 46: a..h = c d e f g h a b
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $b) (i32.load offset=504 (i32.const 0)))
          (i32.xor (local.get $a) (i32.and (local.get $g) (i32.xor (local.get $h) (local.get $a)))))
          (i32.xor (i32.xor (i32.rotr (local.get $g) (i32.const 6)) (i32.rotr (local.get $g) (i32.const 11))) (i32.rotr (local.get $g) (i32.const 25)))))
        (local.set $f (i32.add (local.get $f) (local.get $t1)))
        (local.set $b (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $c) (i32.const 2)) (i32.rotr (local.get $c) (i32.const 13))) (i32.rotr (local.get $c) (i32.const 22))))
          (i32.xor (local.get $d) (i32.and (local.tee $ab (i32.xor (local.get $c) (local.get $d))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 47: a..h = b c d e f g h a
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $a) (i32.load offset=508 (i32.const 0)))
          (i32.xor (local.get $h) (i32.and (local.get $f) (i32.xor (local.get $g) (local.get $h)))))
          (i32.xor (i32.xor (i32.rotr (local.get $f) (i32.const 6)) (i32.rotr (local.get $f) (i32.const 11))) (i32.rotr (local.get $f) (i32.const 25)))))
        (local.set $e (i32.add (local.get $e) (local.get $t1)))
        (local.set $a (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $b) (i32.const 2)) (i32.rotr (local.get $b) (i32.const 13))) (i32.rotr (local.get $b) (i32.const 22))))
          (i32.xor (local.get $c) (i32.and (local.tee $ab (i32.xor (local.get $b) (local.get $c))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; W[56..59] = W[t-16] + σ0(W[t-15]) + W[t-7] + σ1(W[t-2]), t = 56..59  ($x2 holds W[40..43])
        (local.set $y (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 (local.get $x2) (local.get $x3))) ;; W[41..44]
        (local.set $base (i32x4.add (i32x4.add (local.get $x2) (v128.xor (v128.xor (v128.or (i32x4.shr_u (local.get $y) (i32.const 7)) (i32x4.shl (local.get $y) (i32.const 25))) (v128.or (i32x4.shr_u (local.get $y) (i32.const 18)) (i32x4.shl (local.get $y) (i32.const 14)))) (i32x4.shr_u (local.get $y) (i32.const 3))))
          (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 (local.get $x0) (local.get $x1)))) ;; + W[49..52]
        (local.set $y (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $x1) (local.get $x1))) ;; W[54], W[55] in lanes 0, 1
        (local.set $s (i32x4.add (local.get $base) (v128.xor (v128.xor (v128.or (i32x4.shr_u (local.get $y) (i32.const 17)) (i32x4.shl (local.get $y) (i32.const 15))) (v128.or (i32x4.shr_u (local.get $y) (i32.const 19)) (i32x4.shl (local.get $y) (i32.const 13)))) (i32x4.shr_u (local.get $y) (i32.const 10))))) ;; lanes 0, 1: W[56], W[57]
        (local.set $y (i8x16.shuffle 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 (local.get $s) (local.get $s))) ;; W[56], W[57] in lanes 2, 3
        (local.set $x2 (i8x16.shuffle 0 1 2 3 4 5 6 7 24 25 26 27 28 29 30 31 (local.get $s)
          (i32x4.add (local.get $base) (v128.xor (v128.xor (v128.or (i32x4.shr_u (local.get $y) (i32.const 17)) (i32x4.shl (local.get $y) (i32.const 15))) (v128.or (i32x4.shr_u (local.get $y) (i32.const 19)) (i32x4.shl (local.get $y) (i32.const 13)))) (i32x4.shr_u (local.get $y) (i32.const 10)))))) ;; lanes 2, 3: W[58], W[59]
        (v128.store offset=544 (i32.const 0) (i32x4.add (local.get $x2) (v128.load offset=288 (i32.const 0)))) ;; W + K
        ;; round 48: a..h = a b c d e f g h
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $h) (i32.load offset=512 (i32.const 0)))
          (i32.xor (local.get $g) (i32.and (local.get $e) (i32.xor (local.get $f) (local.get $g)))))
          (i32.xor (i32.xor (i32.rotr (local.get $e) (i32.const 6)) (i32.rotr (local.get $e) (i32.const 11))) (i32.rotr (local.get $e) (i32.const 25)))))
        (local.set $d (i32.add (local.get $d) (local.get $t1)))
        (local.set $h (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $a) (i32.const 2)) (i32.rotr (local.get $a) (i32.const 13))) (i32.rotr (local.get $a) (i32.const 22))))
          (i32.xor (local.get $b) (i32.and (local.tee $ab (i32.xor (local.get $a) (local.get $b))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 49: a..h = h a b c d e f g
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $g) (i32.load offset=516 (i32.const 0)))
          (i32.xor (local.get $f) (i32.and (local.get $d) (i32.xor (local.get $e) (local.get $f)))))
          (i32.xor (i32.xor (i32.rotr (local.get $d) (i32.const 6)) (i32.rotr (local.get $d) (i32.const 11))) (i32.rotr (local.get $d) (i32.const 25)))))
        (local.set $c (i32.add (local.get $c) (local.get $t1)))
        (local.set $g (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $h) (i32.const 2)) (i32.rotr (local.get $h) (i32.const 13))) (i32.rotr (local.get $h) (i32.const 22))))
          (i32.xor (local.get $a) (i32.and (local.tee $ab (i32.xor (local.get $h) (local.get $a))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 50: a..h = g h a b c d e f
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $f) (i32.load offset=520 (i32.const 0)))
          (i32.xor (local.get $e) (i32.and (local.get $c) (i32.xor (local.get $d) (local.get $e)))))
          (i32.xor (i32.xor (i32.rotr (local.get $c) (i32.const 6)) (i32.rotr (local.get $c) (i32.const 11))) (i32.rotr (local.get $c) (i32.const 25)))))
        (local.set $b (i32.add (local.get $b) (local.get $t1)))
        (local.set $f (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $g) (i32.const 2)) (i32.rotr (local.get $g) (i32.const 13))) (i32.rotr (local.get $g) (i32.const 22))))
          (i32.xor (local.get $h) (i32.and (local.tee $ab (i32.xor (local.get $g) (local.get $h))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 51: a..h = f g h a b c d e
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $e) (i32.load offset=524 (i32.const 0)))
          (i32.xor (local.get $d) (i32.and (local.get $b) (i32.xor (local.get $c) (local.get $d)))))
          (i32.xor (i32.xor (i32.rotr (local.get $b) (i32.const 6)) (i32.rotr (local.get $b) (i32.const 11))) (i32.rotr (local.get $b) (i32.const 25)))))
        (local.set $a (i32.add (local.get $a) (local.get $t1)))
        (local.set $e (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $f) (i32.const 2)) (i32.rotr (local.get $f) (i32.const 13))) (i32.rotr (local.get $f) (i32.const 22))))
          (i32.xor (local.get $g) (i32.and (local.tee $ab (i32.xor (local.get $f) (local.get $g))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; W[60..63] = W[t-16] + σ0(W[t-15]) + W[t-7] + σ1(W[t-2]), t = 60..63  ($x3 holds W[44..47])
        (local.set $y (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 (local.get $x3) (local.get $x0))) ;; W[45..48]
        (local.set $base (i32x4.add (i32x4.add (local.get $x3) (v128.xor (v128.xor (v128.or (i32x4.shr_u (local.get $y) (i32.const 7)) (i32x4.shl (local.get $y) (i32.const 25))) (v128.or (i32x4.shr_u (local.get $y) (i32.const 18)) (i32x4.shl (local.get $y) (i32.const 14)))) (i32x4.shr_u (local.get $y) (i32.const 3))))
          (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 (local.get $x1) (local.get $x2)))) ;; + W[53..56]
        (local.set $y (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $x2) (local.get $x2))) ;; W[58], W[59] in lanes 0, 1
        (local.set $s (i32x4.add (local.get $base) (v128.xor (v128.xor (v128.or (i32x4.shr_u (local.get $y) (i32.const 17)) (i32x4.shl (local.get $y) (i32.const 15))) (v128.or (i32x4.shr_u (local.get $y) (i32.const 19)) (i32x4.shl (local.get $y) (i32.const 13)))) (i32x4.shr_u (local.get $y) (i32.const 10))))) ;; lanes 0, 1: W[60], W[61]
        (local.set $y (i8x16.shuffle 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 (local.get $s) (local.get $s))) ;; W[60], W[61] in lanes 2, 3
        (local.set $x3 (i8x16.shuffle 0 1 2 3 4 5 6 7 24 25 26 27 28 29 30 31 (local.get $s)
          (i32x4.add (local.get $base) (v128.xor (v128.xor (v128.or (i32x4.shr_u (local.get $y) (i32.const 17)) (i32x4.shl (local.get $y) (i32.const 15))) (v128.or (i32x4.shr_u (local.get $y) (i32.const 19)) (i32x4.shl (local.get $y) (i32.const 13)))) (i32x4.shr_u (local.get $y) (i32.const 10)))))) ;; lanes 2, 3: W[62], W[63]
        (v128.store offset=560 (i32.const 0) (i32x4.add (local.get $x3) (v128.load offset=304 (i32.const 0)))) ;; W + K
        ;; round 52: a..h = e f g h a b c d
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $d) (i32.load offset=528 (i32.const 0)))
          (i32.xor (local.get $c) (i32.and (local.get $a) (i32.xor (local.get $b) (local.get $c)))))
          (i32.xor (i32.xor (i32.rotr (local.get $a) (i32.const 6)) (i32.rotr (local.get $a) (i32.const 11))) (i32.rotr (local.get $a) (i32.const 25)))))
        (local.set $h (i32.add (local.get $h) (local.get $t1)))
        (local.set $d (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $e) (i32.const 2)) (i32.rotr (local.get $e) (i32.const 13))) (i32.rotr (local.get $e) (i32.const 22))))
          (i32.xor (local.get $f) (i32.and (local.tee $ab (i32.xor (local.get $e) (local.get $f))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 53: a..h = d e f g h a b c
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $c) (i32.load offset=532 (i32.const 0)))
          (i32.xor (local.get $b) (i32.and (local.get $h) (i32.xor (local.get $a) (local.get $b)))))
          (i32.xor (i32.xor (i32.rotr (local.get $h) (i32.const 6)) (i32.rotr (local.get $h) (i32.const 11))) (i32.rotr (local.get $h) (i32.const 25)))))
        (local.set $g (i32.add (local.get $g) (local.get $t1)))
        (local.set $c (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $d) (i32.const 2)) (i32.rotr (local.get $d) (i32.const 13))) (i32.rotr (local.get $d) (i32.const 22))))
          (i32.xor (local.get $e) (i32.and (local.tee $ab (i32.xor (local.get $d) (local.get $e))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 54: a..h = c d e f g h a b
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $b) (i32.load offset=536 (i32.const 0)))
          (i32.xor (local.get $a) (i32.and (local.get $g) (i32.xor (local.get $h) (local.get $a)))))
          (i32.xor (i32.xor (i32.rotr (local.get $g) (i32.const 6)) (i32.rotr (local.get $g) (i32.const 11))) (i32.rotr (local.get $g) (i32.const 25)))))
        (local.set $f (i32.add (local.get $f) (local.get $t1)))
        (local.set $b (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $c) (i32.const 2)) (i32.rotr (local.get $c) (i32.const 13))) (i32.rotr (local.get $c) (i32.const 22))))
          (i32.xor (local.get $d) (i32.and (local.tee $ab (i32.xor (local.get $c) (local.get $d))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 55: a..h = b c d e f g h a
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $a) (i32.load offset=540 (i32.const 0)))
          (i32.xor (local.get $h) (i32.and (local.get $f) (i32.xor (local.get $g) (local.get $h)))))
          (i32.xor (i32.xor (i32.rotr (local.get $f) (i32.const 6)) (i32.rotr (local.get $f) (i32.const 11))) (i32.rotr (local.get $f) (i32.const 25)))))
        (local.set $e (i32.add (local.get $e) (local.get $t1)))
        (local.set $a (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $b) (i32.const 2)) (i32.rotr (local.get $b) (i32.const 13))) (i32.rotr (local.get $b) (i32.const 22))))
          (i32.xor (local.get $c) (i32.and (local.tee $ab (i32.xor (local.get $b) (local.get $c))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 56: a..h = a b c d e f g h
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $h) (i32.load offset=544 (i32.const 0)))
          (i32.xor (local.get $g) (i32.and (local.get $e) (i32.xor (local.get $f) (local.get $g)))))
          (i32.xor (i32.xor (i32.rotr (local.get $e) (i32.const 6)) (i32.rotr (local.get $e) (i32.const 11))) (i32.rotr (local.get $e) (i32.const 25)))))
        (local.set $d (i32.add (local.get $d) (local.get $t1)))
        (local.set $h (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $a) (i32.const 2)) (i32.rotr (local.get $a) (i32.const 13))) (i32.rotr (local.get $a) (i32.const 22))))
          (i32.xor (local.get $b) (i32.and (local.tee $ab (i32.xor (local.get $a) (local.get $b))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 57: a..h = h a b c d e f g
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $g) (i32.load offset=548 (i32.const 0)))
          (i32.xor (local.get $f) (i32.and (local.get $d) (i32.xor (local.get $e) (local.get $f)))))
          (i32.xor (i32.xor (i32.rotr (local.get $d) (i32.const 6)) (i32.rotr (local.get $d) (i32.const 11))) (i32.rotr (local.get $d) (i32.const 25)))))
        (local.set $c (i32.add (local.get $c) (local.get $t1)))
        (local.set $g (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $h) (i32.const 2)) (i32.rotr (local.get $h) (i32.const 13))) (i32.rotr (local.get $h) (i32.const 22))))
          (i32.xor (local.get $a) (i32.and (local.tee $ab (i32.xor (local.get $h) (local.get $a))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 58: a..h = g h a b c d e f
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $f) (i32.load offset=552 (i32.const 0)))
          (i32.xor (local.get $e) (i32.and (local.get $c) (i32.xor (local.get $d) (local.get $e)))))
          (i32.xor (i32.xor (i32.rotr (local.get $c) (i32.const 6)) (i32.rotr (local.get $c) (i32.const 11))) (i32.rotr (local.get $c) (i32.const 25)))))
        (local.set $b (i32.add (local.get $b) (local.get $t1)))
        (local.set $f (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $g) (i32.const 2)) (i32.rotr (local.get $g) (i32.const 13))) (i32.rotr (local.get $g) (i32.const 22))))
          (i32.xor (local.get $h) (i32.and (local.tee $ab (i32.xor (local.get $g) (local.get $h))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 59: a..h = f g h a b c d e
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $e) (i32.load offset=556 (i32.const 0)))
          (i32.xor (local.get $d) (i32.and (local.get $b) (i32.xor (local.get $c) (local.get $d)))))
          (i32.xor (i32.xor (i32.rotr (local.get $b) (i32.const 6)) (i32.rotr (local.get $b) (i32.const 11))) (i32.rotr (local.get $b) (i32.const 25)))))
        (local.set $a (i32.add (local.get $a) (local.get $t1)))
        (local.set $e (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $f) (i32.const 2)) (i32.rotr (local.get $f) (i32.const 13))) (i32.rotr (local.get $f) (i32.const 22))))
          (i32.xor (local.get $g) (i32.and (local.tee $ab (i32.xor (local.get $f) (local.get $g))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 60: a..h = e f g h a b c d
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $d) (i32.load offset=560 (i32.const 0)))
          (i32.xor (local.get $c) (i32.and (local.get $a) (i32.xor (local.get $b) (local.get $c)))))
          (i32.xor (i32.xor (i32.rotr (local.get $a) (i32.const 6)) (i32.rotr (local.get $a) (i32.const 11))) (i32.rotr (local.get $a) (i32.const 25)))))
        (local.set $h (i32.add (local.get $h) (local.get $t1)))
        (local.set $d (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $e) (i32.const 2)) (i32.rotr (local.get $e) (i32.const 13))) (i32.rotr (local.get $e) (i32.const 22))))
          (i32.xor (local.get $f) (i32.and (local.tee $ab (i32.xor (local.get $e) (local.get $f))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 61: a..h = d e f g h a b c
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $c) (i32.load offset=564 (i32.const 0)))
          (i32.xor (local.get $b) (i32.and (local.get $h) (i32.xor (local.get $a) (local.get $b)))))
          (i32.xor (i32.xor (i32.rotr (local.get $h) (i32.const 6)) (i32.rotr (local.get $h) (i32.const 11))) (i32.rotr (local.get $h) (i32.const 25)))))
        (local.set $g (i32.add (local.get $g) (local.get $t1)))
        (local.set $c (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $d) (i32.const 2)) (i32.rotr (local.get $d) (i32.const 13))) (i32.rotr (local.get $d) (i32.const 22))))
          (i32.xor (local.get $e) (i32.and (local.tee $ab (i32.xor (local.get $d) (local.get $e))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 62: a..h = c d e f g h a b
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $b) (i32.load offset=568 (i32.const 0)))
          (i32.xor (local.get $a) (i32.and (local.get $g) (i32.xor (local.get $h) (local.get $a)))))
          (i32.xor (i32.xor (i32.rotr (local.get $g) (i32.const 6)) (i32.rotr (local.get $g) (i32.const 11))) (i32.rotr (local.get $g) (i32.const 25)))))
        (local.set $f (i32.add (local.get $f) (local.get $t1)))
        (local.set $b (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $c) (i32.const 2)) (i32.rotr (local.get $c) (i32.const 13))) (i32.rotr (local.get $c) (i32.const 22))))
          (i32.xor (local.get $d) (i32.and (local.tee $ab (i32.xor (local.get $c) (local.get $d))) (local.get $bc)))))
        (local.set $bc (local.get $ab))
        ;; round 63: a..h = b c d e f g h a
        (local.set $t1 (i32.add (i32.add (i32.add (local.get $a) (i32.load offset=572 (i32.const 0)))
          (i32.xor (local.get $h) (i32.and (local.get $f) (i32.xor (local.get $g) (local.get $h)))))
          (i32.xor (i32.xor (i32.rotr (local.get $f) (i32.const 6)) (i32.rotr (local.get $f) (i32.const 11))) (i32.rotr (local.get $f) (i32.const 25)))))
        (local.set $e (i32.add (local.get $e) (local.get $t1)))
        (local.set $a (i32.add (i32.add (local.get $t1) (i32.xor (i32.xor (i32.rotr (local.get $b) (i32.const 2)) (i32.rotr (local.get $b) (i32.const 13))) (i32.rotr (local.get $b) (i32.const 22))))
          (i32.xor (local.get $c) (i32.and (local.tee $ab (i32.xor (local.get $b) (local.get $c))) (local.get $bc)))))
        ;; H += a..h (after 64 renamings the names are back in place)
        (local.set $a (i32.add (local.get $a) (i32.load offset=0 (local.get $state))))
        (i32.store offset=0 (local.get $state) (local.get $a))
        (local.set $b (i32.add (local.get $b) (i32.load offset=4 (local.get $state))))
        (i32.store offset=4 (local.get $state) (local.get $b))
        (local.set $c (i32.add (local.get $c) (i32.load offset=8 (local.get $state))))
        (i32.store offset=8 (local.get $state) (local.get $c))
        (local.set $d (i32.add (local.get $d) (i32.load offset=12 (local.get $state))))
        (i32.store offset=12 (local.get $state) (local.get $d))
        (local.set $e (i32.add (local.get $e) (i32.load offset=16 (local.get $state))))
        (i32.store offset=16 (local.get $state) (local.get $e))
        (local.set $f (i32.add (local.get $f) (i32.load offset=20 (local.get $state))))
        (i32.store offset=20 (local.get $state) (local.get $f))
        (local.set $g (i32.add (local.get $g) (i32.load offset=24 (local.get $state))))
        (i32.store offset=24 (local.get $state) (local.get $g))
        (local.set $h (i32.add (local.get $h) (i32.load offset=28 (local.get $state))))
        (i32.store offset=28 (local.get $state) (local.get $h))
        (local.set $input (i32.add (local.get $input) (i32.const 64)))
        (br $block))))
)
