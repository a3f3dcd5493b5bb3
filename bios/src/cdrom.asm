; ATAPI CD-ROMs: detection, the El Torito no-emulation boot and INT 13h on the CD.
;
; The first ATAPI CD-ROM found (primary master, primary slave, secondary master, secondary
; slave) gets BIOS drive number E0h, as SeaBIOS numbers its first CD; it is not counted in
; 40:75. Commands go by PIO with the PACKET command (ATA/ATAPI-6 9.10, MMC-5 READ(10) and
; REQUEST SENSE), a byte count limit of 2048 and the drive's interrupt disabled (nIEN).
; CHECK CONDITION (the ERR status bit) is answered with REQUEST SENSE and the command retried,
; which clears the UNIT ATTENTION 06/28 a drive reports once after the medium was inserted.
;
; Boot (El Torito 1.0): the Boot Record Volume Descriptor at sector 17 ("CD001", "EL TORITO
; SPECIFICATION", catalog pointer at 47h), the validation entry (header ID 01h, platform 0
; = 80x86, key bytes 55h AAh, words summing to 0) and the initial/default entry (88h bootable,
; media type 0 = no emulation, load segment (0 = 07C0h), sector count in 512-byte virtual
; sectors, load RBA). The image is read in whole 2048-byte sectors, so a count that is not a
; multiple of 4 loads up to 1.5 KiB more than asked. Entered with DL = E0h.
;
; INT 13h on E0h, as SeaBIOS answers for a CD: 00h, 09h, 0Ch, 0Dh, 10h, 11h, 14h, 16h, 44h,
; 47h succeed; 01h the last status; 03h, 05h, 43h "write protected" (03h); 15h "address mark
; not found" (02h); 41h as for a hard disk; 42h reads 2048-byte sectors; 48h reports 2048-byte
; sectors, removable (flags 74h), the geometry and size all ones; 4B00h/4B01h the 13h-byte
; specification packet (4B00h does not end anything: there is no emulation to terminate).
; Anything else (02h, 08h, ...) is "invalid function" (01h).
; Floppy emulation is in cdfloppy.asm. Not here: hard disk emulation, 45h/46h/49h (lock, eject, media change), more
; than one CD, the boot catalog's section entries (only the default entry boots).

CD_INFO         equ     0x140           ; in the EBDA, after the disk table
CD_PORT         equ     CD_INFO + 0     ; word: command block base
CD_DEV          equ     CD_INFO + 2     ; byte: device register value (A0h / B0h)
CD_PRESENT      equ     CD_INFO + 3     ; byte: 1 if a CD drive was found
CD_BOOTED       equ     CD_INFO + 4     ; byte: 1 after an El Torito boot
CD_SPEC         equ     CD_INFO + 0x10  ; the 13h-byte specification packet (4B01h)
CD_DRIVE        equ     0xE0
CD_BUF_SEG      equ     0x0800          ; 2 KiB at 8000h for the descriptor and catalog at boot

; atapi_detected: BX = command block, CL = device register value of a drive that showed the
; PACKET signature; ES = EBDA. IDENTIFY PACKET DEVICE (A1h) and, if it is the first CD-ROM
; (general configuration: ATAPI 10b in bits 15-14, device type 05h in bits 12-8), records it.
atapi_detected:
        push    dx
        push    di
        push    cx
        lea     dx, [bx + 7]
        mov     al, 0xA1
        out     dx, al
        call    ata_wait_drq
        pop     cx
        jc      .ret
        mov     di, 0x200
        mov     dx, bx
        push    cx
        mov     cx, 256
        rep     insw
        pop     cx
        mov     ax, [es:0x200]
        and     ax, 0xDF00
        cmp     ax, 0x8500
        jne     .ret
        cmp     byte [es:CD_PRESENT], 0
        jne     .ret
        mov     [es:CD_PORT], bx
        mov     [es:CD_DEV], cl
        mov     byte [es:CD_PRESENT], 1
.ret:   pop     di
        pop     dx
        ret

; atapi_packet: SS:DI = the 12-byte packet, ES:SI = the buffer, GS = EBDA. Sends the packet and
; reads every DRQ block (the byte count from LBA mid/high) to ES:SI, normalising ES:SI before
; each block. Returns ECX = the bytes read, CF set on ERR or a time-out (AH = 20h or 80h).
atapi_packet:
        push    bx
        push    dx
        push    ebp
        push    di
        mov     bx, [gs:CD_PORT]
        mov     ah, 0x80
        call    ata_wait_busy
        jc      .fail
        lea     dx, [bx + 6]
        mov     al, [gs:CD_DEV]
        out     dx, al
        call    ata_wait_busy
        jc      .fail
        lea     dx, [bx + 1]
        xor     al, al                  ; features: PIO
        out     dx, al
        lea     dx, [bx + 4]
        out     dx, al                  ; byte count limit 0800h
        inc     dx
        mov     al, 0x08
        out     dx, al
        lea     dx, [bx + 7]
        mov     al, 0xA0
        out     dx, al
        mov     ah, 0x20
        call    ata_wait_drq
        jc      .fail
        mov     dx, bx
        mov     cx, 6
.pw:    mov     ax, [ss:di]
        out     dx, ax
        add     di, 2
        loop    .pw
        xor     ebp, ebp
.block: mov     ah, 0x80
        call    ata_wait_busy
        jc      .fail
        mov     ah, 0x20
        test    al, 0x01
        jnz     .fail
        test    al, 0x08
        jz      .done
        mov     ax, si                  ; ES:SI normalised: a block never wraps the offset
        shr     ax, 4
        mov     dx, es
        add     dx, ax
        mov     es, dx
        and     si, 0x0F
        lea     dx, [bx + 4]
        in      al, dx
        mov     cl, al
        inc     dx
        in      al, dx
        mov     ch, al
        movzx   ecx, cx
        mov     ah, 0x20
        jecxz   .fail                   ; DRQ with nothing to move: the drive is confused
        add     ebp, ecx
        inc     cx
        shr     cx, 1
        mov     dx, bx
        mov     di, si
        rep     insw
        mov     si, di
        jmp     .block
.done:  mov     ecx, ebp
        clc
        jmp     .ret
.fail:  xor     ecx, ecx
        stc
.ret:   pop     di
        pop     ebp
        pop     dx
        pop     bx
        ret

; atapi_read: EAX = LBA, CX = 2048-byte sectors, ES:SI = buffer, GS = EBDA. READ(10), with
; REQUEST SENSE and a retry after CHECK CONDITION (three tries). Returns AH = status (0, 20h,
; 80h), CX = the whole sectors read, CF set on failure; EAX's other bytes are not kept.
atapi_read:
        push    edx
        push    di
        push    bp
        push    bx
        mov     bp, 3
        mov     edx, eax                        ; EDX = LBA, BX = count, for the retries
        mov     bx, cx
.try:   sub     sp, 12
        mov     di, sp
        mov     dword [ss:di], 0x0028           ; READ(10): opcode, flags
        mov     eax, edx
        bswap   eax
        mov     [ss:di + 2], eax                ; LBA, big-endian
        mov     byte [ss:di + 6], 0
        mov     [ss:di + 7], bh                 ; transfer length, big-endian
        mov     [ss:di + 8], bl
        mov     word [ss:di + 9], 0
        mov     byte [ss:di + 11], 0
        push    es
        push    si
        call    atapi_packet
        pop     si
        pop     es
        lea     sp, [di + 12]
        jnc     .ok
        call    atapi_request_sense
        dec     bp
        jnz     .try
        xor     cx, cx
        stc
        jmp     .ret
.ok:    shr     ecx, 11
        xor     ah, ah
.ret:   pop     bx
        pop     bp
        pop     di
        pop     edx
        ret

; atapi_request_sense: REQUEST SENSE (18 bytes) to the EBDA scratch area, the sense discarded;
; it clears the drive's error state.
atapi_request_sense:
        push    eax
        push    ecx
        push    di
        push    es
        push    si
        sub     sp, 12
        mov     di, sp
        mov     dword [ss:di], 0x0003
        mov     dword [ss:di + 4], 18
        mov     dword [ss:di + 8], 0
        push    gs
        pop     es
        mov     si, 0x200
        call    atapi_packet
        lea     sp, [di + 12]
        pop     si
        pop     es
        pop     di
        pop     ecx
        pop     eax
        ret

; ---- boot ----

; cd_boot: the El Torito no-emulation boot from the CD drive; returns (with a message
; printed) only if it could not boot.
cd_boot:
        mov     gs, [cs:ebda_seg]
        mov     si, msg_cd_none
        cmp     byte [gs:CD_PRESENT], 0
        je      .msg
        mov     ax, CD_BUF_SEG
        mov     es, ax
        xor     si, si
        mov     eax, 17                 ; the Boot Record Volume Descriptor
        mov     cx, 1
        call    atapi_read
        jc      .read_failed
        mov     si, msg_cd_no_eltorito
        cmp     byte [es:0], 0          ; boot record
        jne     .msg
        push    ds
        push    cs
        pop     ds
        push    si
        mov     si, eltorito_id
        mov     di, 1
        mov     cx, eltorito_id_len
        repe    cmpsb
        pop     si
        pop     ds
        jne     .msg
        mov     eax, [es:0x47]          ; the boot catalog's sector
        xor     si, si
        mov     cx, 1
        call    atapi_read
        jc      .read_failed
        ; the validation entry
        mov     si, msg_cd_bad_catalog
        cmp     word [es:0], 0x0001     ; header ID 1, platform 0 (80x86)
        jne     .msg
        cmp     word [es:0x1E], 0xAA55
        jne     .msg
        xor     ax, ax
        xor     di, di
.sum:   add     ax, [es:di]
        add     di, 2
        cmp     di, 0x20
        jb      .sum
        test    ax, ax
        jnz     .msg
        ; the initial/default entry
        mov     si, msg_cd_not_bootable
        cmp     byte [es:0x20], 0x88
        jne     .msg
        test    byte [es:0x21], 0x0F
        jnz     cdfd_boot               ; an emulation: cdfloppy.asm
        mov     si, msg_cd_not_bootable
        mov     cx, [es:0x26]           ; virtual 512-byte sectors
        test    cx, cx
        jz      .msg
        mov     bx, [es:0x22]
        test    bx, bx
        jnz     .seg
        mov     bx, 0x07C0
.seg:   ; the specification packet for 4B01h
        mov     byte [gs:CD_SPEC], 0x13
        mov     byte [gs:CD_SPEC + 1], 0x00             ; no emulation
        mov     byte [gs:CD_SPEC + 2], CD_DRIVE
        mov     ax, [gs:CD_PORT]
        cmp     ax, 0x1F0
        setne   al
        mov     [gs:CD_SPEC + 3], al                    ; controller: 0 primary, 1 secondary
        mov     eax, [es:0x28]
        mov     [gs:CD_SPEC + 4], eax                   ; the image's LBA
        mov     al, [gs:CD_DEV]
        shr     al, 4
        and     al, 1
        xor     ah, ah
        mov     [gs:CD_SPEC + 8], ax                    ; device specification: bit 0 slave
        mov     word [gs:CD_SPEC + 10], 0               ; no user buffer
        mov     [gs:CD_SPEC + 12], bx                   ; load segment
        mov     [gs:CD_SPEC + 14], cx                   ; sector count
        mov     byte [gs:CD_SPEC + 16], 0               ; CHS: only for emulation
        mov     word [gs:CD_SPEC + 17], 0
        ; load ceil(count / 4) CD sectors to the load segment
        mov     eax, [es:0x28]
        add     cx, 3
        rcr     cx, 1                   ; (the carry of a count near FFFFh shifted back in)
        shr     cx, 1
        mov     es, bx
        xor     si, si
        call    atapi_read
        jc      .read_failed
        mov     byte [gs:CD_BOOTED], 1
        mov     dl, CD_DRIVE
        xor     ax, ax
        mov     ds, ax
        mov     es, ax
        push    bx
        push    ax
        retf
.read_failed:
        mov     si, msg_cd_read
.msg:   call    print
        ret

eltorito_id:            db      "CD001", 1, "EL TORITO SPECIFICATION"
eltorito_id_len         equ     $ - eltorito_id
msg_cd_none:            db      "Boot failed: no CD-ROM drive", 13, 10, 0
msg_cd_read:            db      "Boot failed: could not read the CD", 13, 10, 0
msg_cd_no_eltorito:     db      "Boot failed: not an El Torito CD", 13, 10, 0
msg_cd_bad_catalog:     db      "Boot failed: bad El Torito boot catalog", 13, 10, 0
msg_cd_not_bootable:    db      "Boot failed: no bootable El Torito entry", 13, 10, 0

; ---- INT 13h on the CD (from int13_handler, with its frame at BP and DS = BDA) ----

cd_int13:
        mov     gs, [cs:ebda_seg]
        cmp     byte [gs:CD_PRESENT], 0
        je      int13_handler.nodrive
        mov     ah, [bp + F_EAX + 1]
        cmp     ah, 0x01
        je      int13_handler.status
        cmp     ah, 0x41
        je      int13_handler.edd_check
        cmp     ah, 0x42
        je      .ext_read
        cmp     ah, 0x48
        je      .ext_params
        cmp     ah, 0x4B
        je      .spec
        cmp     ah, 0x15
        je      .type
        mov     si, cd_ok_functions
        mov     cx, cd_ok_count
.okf:   cmp     ah, [cs:si]
        je      int13_handler.ok
        inc     si
        loop    .okf
        cmp     ah, 0x03
        je      .wp
        cmp     ah, 0x05
        je      .wp
        cmp     ah, 0x43
        je      .wp
        mov     ah, 0x01
        jmp     int13_handler.fail
.wp:    mov     ah, 0x03
        jmp     int13_handler.fail
.type:  mov     ah, 0x02
        jmp     int13_handler.fail

.ext_read:
        mov     ds, [bp + F_DS]
        mov     si, [bp + F_ESI]
        cmp     byte [si], 0x10
        jb      int13_handler.invalid
        mov     cx, [si + 2]
        mov     eax, [si + 8]
        cmp     dword [si + 12], 0
        jne     int13_handler.bad_sector
        les     bx, [si + 4]
        push    si
        mov     si, bx
        xor     ah, ah
        jcxz    .none
        call    atapi_read
.none:  pop     si
        mov     ds, [bp + F_DS]
        mov     [si + 2], cx
        jmp     int13_handler.done

.ext_params:
        mov     es, [bp + F_DS]
        mov     bx, [bp + F_ESI]
        cmp     word [es:bx], 0x1A
        jb      int13_handler.invalid
        mov     word [es:bx], 0x1A
        mov     word [es:bx + 2], 0x0074        ; removable, change line, lockable, max geometry
        mov     eax, 0xFFFFFFFF
        mov     [es:bx + 4], eax                ; cylinders, heads, sectors per track: none
        mov     [es:bx + 8], eax
        mov     [es:bx + 12], eax
        mov     [es:bx + 16], eax               ; total sectors: unknown
        mov     [es:bx + 20], eax
        mov     word [es:bx + 24], 2048
        xor     ah, ah
        jmp     int13_handler.done

.spec:  ; AL = 00h (terminate) or 01h (status): the packet to DS:SI
        mov     al, [bp + F_EAX]
        cmp     al, 0x01
        ja      int13_handler.invalid
        cmp     byte [gs:CD_BOOTED], 0
        je      int13_handler.invalid
        mov     es, [bp + F_DS]
        mov     di, [bp + F_ESI]
        mov     si, CD_SPEC
        mov     cx, 0x13
.copy:  mov     al, [gs:si]
        stosb
        inc     si
        loop    .copy
        xor     ah, ah
        jmp     int13_handler.done

cd_ok_functions:        db      0x00, 0x09, 0x0C, 0x0D, 0x10, 0x11, 0x14, 0x16, 0x44, 0x47
cd_ok_count             equ     $ - cd_ok_functions
