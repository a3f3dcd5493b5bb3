; The keyboard: INT 09h turns the 8042's translated scan codes (set 1) into the BDA's shift
; states and key buffer; INT 16h reads them (IBM PC/AT Technical Reference, "Keyboard BIOS";
; IBM PS/2 and PC BIOS Interface Technical Reference, INT 09h and INT 16h; Ralf Brown's INT 16h).
;
; BDA: 40:17 shift flags (0 RShift, 1 LShift, 2 Ctrl, 3 Alt, 4 Scroll, 5 Num, 6 Caps,
; 7 Insert active), 40:18 (0 LCtrl, 1 LAlt, 2 SysReq, 3 pause, 4-7 Scroll/Num/Caps/Insert
; held), 40:19 the Alt+keypad number being typed, 40:1A head, 40:1C tail, 40:71 bit 7 Break
; pressed, 40:80/40:82 buffer start/end, 40:96 (0 last byte E1h, 1 last byte E0h, 2 RCtrl,
; 3 RAlt, 4 101-key keyboard), 40:97 (0-2 the LEDs as last sent, 4 acknowledge received,
; 5 resend received, 6 LED update in progress).
;
; Talking to the keyboard: INT 09h disables the keyboard interface (8042 command ADh) while it
; handles a code, as the AT BIOS does, so no further code arrives while it sends the LED
; command (EDh) and reads the acknowledgements; INT 16h sends its commands with interrupts off
; once no key code waits in the 8042's output buffer.
;
; Not here: the beep when the key buffer is full (the key is dropped silently); INT 16h 03h
; subfunctions other than 05h (the PCjr's 00h-04h, 06h get rate); the 122-key functions
; 20h-22h; the fake shifts around grey keys (the emulated keyboard does not send them).

; ---- INT 09h (IRQ 1) ----

int09_handler:
        push    ds
        push    ax
        push    bx
        push    cx
        push    si
        push    di
        mov     ax, BDA_SEG
        mov     ds, ax
        mov     al, 0xAD                ; keyboard interface off while the code is handled
        call    kbc_command
        in      al, 0x64
        and     al, 0x21
        cmp     al, 0x01                ; a keyboard byte (not the mouse's) must be waiting
        jne     .done
        in      al, 0x60
        cmp     al, 0xFA                ; acknowledge, resend: replies to commands
        jne     .not_ack
        or      byte [0x97], 0x10
        jmp     .done
.not_ack:
        cmp     al, 0xFE
        jne     .not_resend
        or      byte [0x97], 0x20
        jmp     .done
.not_resend:
        cmp     al, 0xFF                ; keyboard buffer overrun (set 1): no key
        je      .done
        cmp     al, 0x00
        je      .done
        sti
        mov     ah, 0x4F                ; keyboard intercept: CF clear drops the code
        stc
        int     0x15
        cli
        jnc     .done
        call    kbd_code
        jc      .exit                   ; the routine ended the interrupt itself
.done:  cli
        mov     al, 0x20
        out     0x20, al
        mov     al, 0xAE
        call    kbc_command
.exit:  pop     di
        pop     si
        pop     cx
        pop     bx
        pop     ax
        pop     ds
        iret

; kbd_eoi: ends the keyboard interrupt early and turns the keyboard interface back on (for the
; paths that call out to INT 05h, 15h or wait); the caller then returns CF set from kbd_code.
kbd_eoi:
        mov     al, 0x20
        out     0x20, al
        mov     al, 0xAE
        jmp     kbc_command

; kbd_code: handles scan code AL (DS = 40h). CF set: the interrupt has been ended already.
kbd_code:
        cmp     al, 0xE0
        jne     .not_e0
        or      byte [0x96], 0x02
        clc
        ret
.not_e0:
        cmp     al, 0xE1
        jne     .not_e1
        or      byte [0x96], 0x01
        clc
        ret
.not_e1:
        mov     ah, [0x96]
        and     byte [0x96], 0xFC
        mov     bl, al
        and     bl, 0x7F                ; BL = make code, AL bit 7 = break, AH bit 1 = E0
        test    ah, 0x01
        jz      .plain
        ; Pause: E1 1D 45 / E1 9D C5. The byte after E1 keeps the E1 state; 45 is Pause.
        cmp     bl, 0x1D
        jne     .e1_second
        or      byte [0x96], 0x01
        clc
        ret
.e1_second:
        cmp     al, 0x45
        je      kbd_pause
        clc
        ret
.plain: cmp     bl, 0x2A
        je      .lshift
        cmp     bl, 0x36
        je      .rshift
        cmp     bl, 0x1D
        je      .ctrl
        cmp     bl, 0x38
        je      .alt
        cmp     bl, 0x3A
        je      .caps
        cmp     bl, 0x45
        je      .num
        cmp     bl, 0x46
        je      .scroll
        cmp     bl, 0x54
        je      kbd_sysreq
        test    al, 0x80
        jnz     .break
        jmp     kbd_make

.lshift:
        test    ah, 0x02                ; E0 2A: the keyboard's fake shift, ignored
        jnz     .ret
        mov     cl, 0x02
        jmp     .shiftbit
.rshift:
        test    ah, 0x02
        jnz     .ret
        mov     cl, 0x01
.shiftbit:
        test    al, 0x80
        jnz     .shiftup
        or      [0x17], cl
        clc
        ret
.shiftup:
        not     cl
        and     [0x17], cl
        clc
        ret

.ctrl:  mov     cl, 0x04                ; 96h bit 2 (right), 18h bit 0 (left)
        mov     ch, 0x01
        jmp     .ctrlalt
.alt:   mov     cl, 0x08
        mov     ch, 0x02
.ctrlalt:
        mov     si, 0x18
        test    ah, 0x02
        jz      .side
        mov     si, 0x96
        mov     ch, cl
.side:  test    al, 0x80
        jnz     .ca_up
        or      [si], ch
        or      [0x17], cl
        clc
        ret
.ca_up: not     ch
        and     [si], ch
        ; the combined bit in 40:17 stays while the other side's key is held
        mov     ch, [0x18]
        shl     ch, 2
        or      ch, [0x96]
        and     ch, cl
        jnz     .ret
        not     cl
        and     [0x17], cl
        ; Alt released: the number typed on the keypad while it was held becomes a key with
        ; scan code 0 (PC/AT Technical Reference, "Alt key").
        cmp     cl, 0xF7
        jne     .ret
        xor     ax, ax
        xchg    al, [0x19]
        test    al, al
        jz      .ret
        jmp     kbd_store

.scroll:
        test    byte [0x17], 0x04       ; Ctrl+Scroll Lock, or E0 46 (Ctrl+Pause): Break
        jnz     kbd_break
        test    ah, 0x02
        jnz     .ret
        mov     cl, 0x10
        jmp     .toggle
.caps:  mov     cl, 0x40
        jmp     .toggle
.num:   mov     cl, 0x20
.toggle:
        test    al, 0x80
        jnz     .tog_up
        test    [0x18], cl
        jnz     .ret                    ; typematic repeat of a held lock key
        or      [0x18], cl
        xor     [0x17], cl
        call    kbd_sync_leds
        clc
        ret
.tog_up:
        not     cl
        and     [0x18], cl
        clc
        ret

.break: cmp     bl, 0x52
        jne     .ret
        and     byte [0x18], 0x7F       ; Insert released
.ret:   clc
        ret

; kbd_pause: Pause (E1 1D 45) holds the machine in INT 09h, with the interrupt ended, until
; the next key is pressed (PC/AT Technical Reference, "Pause").
kbd_pause:
        test    byte [0x18], 0x08
        jnz     .ret
        or      byte [0x18], 0x08
        call    kbd_eoi
        sti
.hold:  hlt
        test    byte [0x18], 0x08
        jnz     .hold
        cli
        stc
        ret
.ret:   clc
        ret

; kbd_break: Ctrl+Break empties the buffer, sets 40:71 bit 7, calls INT 1Bh and stores 0000h.
kbd_break:
        test    al, 0x80
        jnz     .ret
        mov     ax, [0x80]
        mov     [0x1A], ax
        mov     [0x1C], ax
        or      byte [0x71], 0x80
        call    kbd_eoi
        sti
        int     0x1B
        cli
        xor     ax, ax
        call    kbd_enqueue
        stc
        ret
.ret:   clc
        ret

; kbd_sysreq: the SysReq key (Alt+Print Screen, code 54h) calls INT 15h 8500h when pressed,
; 8501h when released; repeats of a held key are not reported.
kbd_sysreq:
        test    al, 0x80
        jnz     .up
        test    byte [0x18], 0x04
        jnz     .ret
        or      byte [0x18], 0x04
        mov     cx, 0x8500
        jmp     .call
.up:    and     byte [0x18], 0xFB
        mov     cx, 0x8501
.call:  call    kbd_eoi
        mov     ax, cx
        sti
        int     0x15
        cli
        stc
        ret
.ret:   clc
        ret

; kbd_make: a key other than the shift and lock keys went down. AL = BL = code, AH bit 1 = E0.
kbd_make:
        test    byte [0x18], 0x08       ; the first key after Pause ends the pause, and is dropped
        jz      .not_paused
        and     byte [0x18], 0xF7
        clc
        ret
.not_paused:
        ; Ctrl+Alt+Del: warm reboot
        cmp     bl, 0x53
        jne     .not_del
        mov     cl, [0x17]
        and     cl, 0x0C
        cmp     cl, 0x0C
        je      kbd_reboot
.not_del:
        test    ah, 0x02
        jnz     kbd_extended
        cmp     bl, KBD_TABLE_LAST
        ja      .ret
        mov     cl, [0x17]
        ; keypad 47h-53h except 4Ah, 4Eh: digits when NumLock xor Shift
        cmp     bl, 0x47
        jb      .not_pad
        cmp     bl, 0x53
        ja      .not_pad
        cmp     bl, 0x4A
        je      .not_pad
        cmp     bl, 0x4E
        je      .not_pad
        test    cl, 0x08
        jnz     .alt_pad
        test    cl, 0x04
        jnz     .not_pad                ; Ctrl: the table's Ctrl column
        mov     ch, cl
        shr     ch, 5
        test    cl, 0x03
        jz      .nshift
        xor     ch, 1
.nshift:
        test    ch, 1
        jz      .pad_nav
        movzx   di, bl
        mov     al, [cs:kbd_keypad + di - 0x47]
        mov     ah, bl
        jmp     kbd_store
.pad_nav:
        cmp     bl, 0x52                ; Insert (not as the digit 0) toggles insert mode
        jne     .not_pad
        call    kbd_insert
        jmp     .not_pad
.alt_pad:
        ; Alt+keypad digit: 40:19 = 40:19 * 10 + digit (the digit keys only, not '.')
        cmp     bl, 0x53
        je      .ret
        movzx   di, bl
        mov     al, [cs:kbd_keypad + di - 0x47]
        sub     al, '0'
        mov     ch, al
        mov     al, [0x19]
        mov     cl, 10
        mul     cl
        add     al, ch
        mov     [0x19], al
        clc
        ret
.not_pad:
        xor     si, si                  ; column: 6 Alt, 4 Ctrl, 2 Shift, 0 none
        test    cl, 0x08
        jnz     .alt_col
        test    cl, 0x04
        jnz     .ctrl_col
        test    cl, 0x03
        jz      .caps_letter
        mov     si, 2
.caps_letter:
        test    cl, 0x40
        jz      .table
        movzx   di, bl
        shl     di, 3
        mov     al, [cs:kbd_table + di]
        cmp     al, 'a'
        jb      .table
        cmp     al, 'z'
        ja      .table
        xor     si, 2                   ; Caps Lock inverts Shift for letters
        jmp     .table
.alt_col:
        mov     si, 6
        jmp     .table
.ctrl_col:
        mov     si, 4
.table: movzx   bx, bl
        shl     bx, 3
        mov     ax, [cs:kbd_table + bx + si]
        test    ax, ax
        jz      .ret
        jmp     kbd_store
.ret:   clc
        ret

; kbd_extended: E0-prefixed keys of the 101-key keyboard: keypad Enter and /, the grey
; navigation keys (ASCII E0h, which INT 16h 00h/01h turn into 00h), Print Screen (E0 37).
kbd_extended:
        mov     cl, [0x17]
        cmp     bl, 0x37
        jne     .not_prtsc
        test    cl, 0x04
        mov     ax, 0x7200              ; Ctrl+Print Screen: a key
        jnz     kbd_store
        call    kbd_eoi                 ; Print Screen: INT 05h
        sti
        int     0x05
        cli
        stc
        ret
.not_prtsc:
        cmp     bl, 0x1C
        jne     .not_enter
        mov     ax, 0xA600              ; Alt, Ctrl, plain keypad Enter
        test    cl, 0x08
        jnz     kbd_store
        mov     ax, 0xE00A
        test    cl, 0x04
        jnz     kbd_store
        mov     ax, 0xE00D
        jmp     kbd_store
.not_enter:
        cmp     bl, 0x35
        jne     .not_slash
        mov     ax, 0xA400              ; Alt, Ctrl, plain keypad /
        test    cl, 0x08
        jnz     kbd_store
        mov     ax, 0x9500
        test    cl, 0x04
        jnz     kbd_store
        mov     ax, 0xE02F
        jmp     kbd_store
.not_slash:
        cmp     bl, 0x47
        jb      .ret
        cmp     bl, 0x53
        ja      .ret
        cmp     bl, 0x52
        jne     .not_ins
        call    kbd_insert
.not_ins:
        movzx   di, bl
        shl     di, 3
        test    cl, 0x08
        jz      .not_alt
        mov     ah, bl                  ; Alt+grey key: scan code + 50h, ASCII 0
        add     ah, 0x50
        xor     al, al
        jmp     kbd_store
.not_alt:
        mov     ax, [cs:kbd_table + di]
        test    cl, 0x04
        jz      .e0
        mov     ax, [cs:kbd_table + di + 4]
.e0:    test    ax, ax
        jz      .ret
        mov     al, 0xE0
        jmp     kbd_store
.ret:   clc
        ret

; kbd_insert: Insert pressed (not a repeat) toggles 40:17 bit 7.
kbd_insert:
        test    byte [0x18], 0x80
        jnz     .ret
        or      byte [0x18], 0x80
        xor     byte [0x17], 0x80
.ret:   ret

; kbd_store: AX into the key buffer, then INT 15h 9102h (interrupt complete, keyboard) so a
; multitasker waiting in INT 15h 9002h can run the reader. A full buffer drops the key.
kbd_store:
        call    kbd_enqueue
        jc      .full
        mov     ax, 0x9102
        int     0x15
.full:  clc
        ret

; kbd_reboot: Ctrl+Alt+Del. 40:72 = 1234h tells POST this is a warm boot; the reset goes
; through the PIIX3 reset control register (port CF9h: 02h selects a hard reset, 06h starts
; it), then the 8042's reset line (command FEh), then a jump to the reset vector.
kbd_reboot:
        mov     word [0x72], 0x1234
        mov     dx, 0xCF9
        mov     al, 0x02
        out     dx, al
        mov     al, 0x06
        out     dx, al
        mov     al, 0xFE
        out     0x64, al
        jmp     0xF000:0xFFF0

; kbd_enqueue: AX into the BDA key buffer (DS = 40h); CF set when it is full.
kbd_enqueue:
        push    si
        push    di
        pushf
        cli
        mov     si, [0x1C]
        lea     di, [si + 2]
        cmp     di, [0x82]
        jb      .wrap
        mov     di, [0x80]
.wrap:  cmp     di, [0x1A]
        je      .full
        mov     [si], ax
        mov     [0x1C], di
        popf
        clc
        jmp     .done
.full:  popf
        stc
.done:  pop     di
        pop     si
        ret

; ---- Commands to the keyboard ----

; kbd_sync_leds: sends EDh and the LED byte when the lock states in 40:17 differ from the LEDs
; last sent (40:97 bits 0-2), with interrupts off. Skipped while a key code waits in the 8042
; (it would be read as the acknowledgement); INT 09h has the interface disabled, so there it
; never waits. Keeps every register.
kbd_sync_leds:
        push    ax
        push    cx
        pushf
        cli
        mov     ah, [0x17]
        shr     ah, 4
        and     ah, 0x07                ; Scroll, Num, Caps = LED bits 0, 1, 2
        mov     al, [0x97]
        and     al, 0x07
        cmp     al, ah
        je      .done
        test    byte [0x97], 0x40
        jnz     .done
        in      al, 0x64
        test    al, 0x01
        jnz     .done
        or      byte [0x97], 0x40
        mov     al, 0xED
        call    kbd_send
        jc      .fail
        mov     al, ah
        call    kbd_send
        jc      .fail
        and     byte [0x97], 0xF8
        or      [0x97], ah
.fail:  and     byte [0x97], 0xBF
.done:  popf
        pop     cx
        pop     ax
        ret

; kbd_send: writes AL to the keyboard and reads its reply, with interrupts off; a Resend (FEh)
; repeats the byte, up to three times. CF set unless the reply was Acknowledge (FAh).
; Keeps AH.
kbd_send:
        push    cx
        push    bx
        mov     bl, al
        mov     bh, 3
.again: call    kbc_wait_in
        mov     al, bl
        out     0x60, al
        call    kbd_read
        jc      .out
        cmp     al, 0xFA
        je      .out                    ; CF clear
        cmp     al, 0xFE
        jne     .bad
        dec     bh
        jnz     .again
.bad:   stc
.out:   pop     bx
        pop     cx
        ret

; kbd_read: AL = the next byte from the keyboard (mouse bytes met on the way are dropped);
; CF set after a time-out.
kbd_read:
        push    cx
        mov     cx, 0xFFFF
.w:     in      al, 0x64
        test    al, 0x01
        jz      .next
        test    al, 0x20
        jz      .kbd
        in      al, 0x60                ; a mouse byte: not ours
.next:  loop    .w
        pop     cx
        stc
        ret
.kbd:   in      al, 0x60
        pop     cx
        clc
        ret

; kbd_quiet: lets INT 09h take a key code waiting in the 8042's output buffer, then returns
; with interrupts off, so a command's reply is not mixed with key codes.
kbd_quiet:
        push    cx
        mov     cx, 1000
.w:     cli
        in      al, 0x64
        and     al, 0x21
        cmp     al, 0x01
        jne     .ok
        sti
        nop
        nop
        loop    .w
        cli
.ok:    pop     cx
        ret

; ---- INT 16h ----

; INT 16h: 00h/10h read a key (waiting), 01h/11h check for a key (ZF set: none), 02h/12h
; shift flags, 03h set the typematic rate (AL = 05h: BH delay, BL rate), 05h store a key,
; 09h functionality, 0Ah keyboard ID. The non-extended functions hide the 101-key keyboard's
; additions: ASCII E0h (grey keys) becomes 00h, scan code E0h (keypad Enter and /) becomes
; 1Ch or 35h, and keys with scan codes above 84h are removed.
int16_handler:
        sti
        push    ds
        push    bx
        push    dx
        mov     bx, BDA_SEG
        mov     ds, bx
        call    kbd_sync_leds
        sti
        mov     dl, ah
        and     ah, 0xEF
        cmp     ah, 0x00
        je      .read
        cmp     ah, 0x01
        je      .peek
        cmp     ah, 0x02
        je      .flags
        cmp     dl, 0x03
        je      .typematic
        cmp     dl, 0x05
        je      .store
        cmp     dl, 0x09
        je      .functions
        cmp     dl, 0x0A
        je      .id
        jmp     .ret
.read:  mov     bx, [0x1A]
        cmp     bx, [0x1C]
        jne     .read_loop
        mov     ax, 0x9002              ; device busy (keyboard): a multitasker may switch
        int     0x15
.read_loop:
        cli
        mov     bx, [0x1A]
        cmp     bx, [0x1C]
        jne     .have
        sti
        hlt
        call    kbd_sync_leds
        jmp     .read_loop
.have:  mov     ax, [bx]
        call    kbd_advance
        sti
        call    kbd_filter
        jc      .read_loop
        jmp     .ret
.peek:  cli
        mov     bx, [0x1A]
        cmp     bx, [0x1C]
        je      .empty
        mov     ax, [bx]
        call    kbd_filter
        jnc     .avail
        call    kbd_advance
        jmp     .peek
.avail: sti
        pop     dx
        pop     bx
        pop     ds
        push    bp
        mov     bp, sp
        and     word [bp + 6], 0xFFBF   ; clear ZF in the caller's flags
        pop     bp
        iret
.empty: sti
        pop     dx
        pop     bx
        pop     ds
        push    bp
        mov     bp, sp
        or      word [bp + 6], 0x0040   ; set ZF in the caller's flags
        pop     bp
        iret
.flags: mov     al, [0x17]
        test    dl, 0x10
        jz      .ret
        mov     ah, [0x18]
        and     ah, 0x73
        mov     bl, [0x18]
        and     bl, 0x04                ; SysReq held -> bit 7
        shl     bl, 5
        or      ah, bl
        mov     bl, [0x96]
        and     bl, 0x0C                ; right Ctrl, right Alt
        or      ah, bl
        jmp     .ret
.store: mov     ax, cx
        call    kbd_enqueue
        mov     al, 0
        adc     al, 0
        jmp     .ret
.typematic:
        ; AL = 05h: the keyboard's command F3h with delay (BH, 0-3: 250-1000 ms) in bits 5-6
        ; and rate (BL, 0-1Fh: 30-2 characters/s) in bits 0-4. Other subfunctions (the
        ; PCjr's 00h-04h, 06h get) are not offered, as 09h says.
        cmp     al, 0x05
        jne     .ret
        push    bp
        mov     bp, sp
        mov     bx, [bp + 4]            ; the caller's BX (saved below DX)
        pop     bp
        cmp     bh, 3
        ja      .ret
        cmp     bl, 0x1F
        ja      .ret
        push    ax
        call    kbd_quiet
        mov     al, 0xF3
        call    kbd_send
        jc      .tm_done
        mov     al, bh
        shl     al, 5
        or      al, bl
        call    kbd_send
.tm_done:
        sti
        pop     ax
        jmp     .ret
.functions:
        mov     al, 0x14                ; bit 2: 0305h, bit 4: 0Ah
        jmp     .ret
.id:    ; BX = the ID bytes after F2h (first in BL): 41ABh for an MF2 keyboard behind a
        ; translating 8042; 0 if the keyboard sends none (an AT keyboard).
        push    ax
        call    kbd_quiet
        xor     dx, dx
        mov     al, 0xF2
        call    kbd_send
        jc      .id_done
        call    kbd_read
        jc      .id_done
        mov     dl, al
        call    kbd_read
        jc      .id_done
        mov     dh, al
.id_done:
        sti
        pop     ax
        mov     bx, dx
        pop     dx
        add     sp, 2                   ; BX is the result: drop the saved one
        pop     ds
        iret
.ret:   pop     dx
        pop     bx
        pop     ds
        iret

; kbd_advance: moves the head (BX) one word on, wrapping at the buffer end (DS = 40h).
kbd_advance:
        add     bx, 2
        cmp     bx, [0x82]
        jb      .ok
        mov     bx, [0x80]
.ok:    mov     [0x1A], bx
        ret

; kbd_filter: DL = the function; for 00h/01h translates AX, or sets CF if the key is to be
; dropped.
kbd_filter:
        test    dl, 0x10
        jnz     .keep
        cmp     ah, 0xE0                ; keypad Enter (E00Dh, E00Ah) and / (E02Fh): their
        jne     .not_pad                ; 83-key scan codes 1Ch and 35h
        mov     ah, 0x35
        cmp     al, 0x2F
        je      .keep
        mov     ah, 0x1C
        jmp     .keep
.not_pad:
        cmp     al, 0xE0
        jne     .scan
        test    ah, ah
        jz      .keep
        xor     al, al
        jmp     .keep
.scan:  test    al, al
        jnz     .keep
        cmp     ah, 0x84
        jbe     .keep
        stc
        ret
.keep:  clc
        ret
